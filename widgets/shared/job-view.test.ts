import { expect } from '@open-wc/testing';
import type { Job } from '../../server/protocol/job.ts';
import { makeJob } from './job-fixture.ts';
import { formatterFor } from './format.ts';
import { amountText, etaText, milestoneText, progressValueText, rateText, statusTone, stepText } from './job-view.ts';
import { DEFAULT_LABELS, fill, mergeLabels } from './labels.ts';

const en = formatterFor('en-US');

describe('job view texts', () => {
  const job: Job = makeJob({
    status: 'running',
    phase: 'copy',
    phases: [
      { name: 'plan', irreversible: false },
      { name: 'copy', label: 'Copying', irreversible: false },
      { name: 'swap', irreversible: true },
    ],
    progress: { current: 4200, total: 10000, unit: 'rows', percent: 42, rate: 1250.4, etaSeconds: 65 },
  });

  it('describes step, amount, rate and ETA', () => {
    expect(stepText(job, DEFAULT_LABELS, en)).to.equal('Copying · 2 of 3');
    expect(amountText(job.progress, DEFAULT_LABELS, en)).to.equal('4,200 of 10,000 rows');
    expect(rateText(job, DEFAULT_LABELS, en)).to.equal('1,250 rows/s');
    expect(etaText(job, DEFAULT_LABELS, en)).to.equal('1m 5s left');
    expect(progressValueText(job, DEFAULT_LABELS, en)).to.equal('42% · Copying · 2 of 3 · 4,200 of 10,000 rows');
  });

  it('handles unknown totals', () => {
    const open = makeJob({ progress: { current: 12, total: null, unit: null, percent: null, rate: null, etaSeconds: null } });
    expect(amountText(open.progress, DEFAULT_LABELS, en)).to.equal('12');
    expect(rateText(open, DEFAULT_LABELS, en)).to.equal(null);
  });

  it('describes amounts with and without a total or unit', () => {
    const amount = (current: number, total: number | null, unit: string | null) => amountText({ current, total, unit }, DEFAULT_LABELS, en);
    expect(amount(4200, 10000, null)).to.equal('4,200 of 10,000');
    expect(amount(0, 10000, 'rows')).to.equal('0 of 10,000 rows');
    expect(amount(4200, null, 'rows')).to.equal('4,200 rows');
    expect(amount(0, null, 'rows')).to.equal(null);
    expect(progressValueText(makeJob({ status: 'paused' }), DEFAULT_LABELS, en)).to.equal('Paused');
  });

  it('gives each status a tone', () => {
    const tones = ['queued', 'running', 'paused', 'cancelling', 'rolling_back', 'completed', 'failed', 'cancelled', 'rolled_back'].map((status) =>
      statusTone(status as Job['status']),
    );
    expect(tones).to.deep.equal(['neutral', 'active', 'warning', 'warning', 'warning', 'success', 'danger', 'neutral', 'neutral']);
  });

  it('announces status and phase changes only', () => {
    const ticked = { ...job, progress: { ...job.progress, current: 4300 } };
    expect(milestoneText(job, ticked, DEFAULT_LABELS)).to.equal(null);
    expect(milestoneText(undefined, job, DEFAULT_LABELS)).to.equal(null);
    expect(milestoneText(job, { ...job, phase: 'swap' }, DEFAULT_LABELS)).to.equal('job-1: swap');
    expect(milestoneText(job, { ...job, status: 'completed' }, DEFAULT_LABELS)).to.equal('job-1: Completed');
    const failed = { ...job, status: 'failed' as const, error: { code: 'boom', message: 'Disk full' } };
    expect(milestoneText(job, failed, DEFAULT_LABELS)).to.equal('job-1: Failed, Disk full');
  });
});

describe('labels', () => {
  it('merges overrides, nested ones too, and caches the result', () => {
    const overrides = { cancel: 'x', status: { running: 'Läuft' } };
    const labels = mergeLabels(overrides);
    expect(labels.status.running).to.equal('Läuft');
    expect(labels.status.queued).to.equal('Queued');
    expect(mergeLabels(overrides)).to.equal(labels);
    expect(mergeLabels(null)).to.equal(DEFAULT_LABELS);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fill('{a} of {b} {c}', { a: 1, b: 'two' })).to.equal('1 of two {c}');
  });
});
