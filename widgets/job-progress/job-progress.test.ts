import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { Job } from '../../server/protocol/job.ts';
import { FakeHub, unsignedToken, type JobInit } from '../testing/fake-hub.ts';
import type { JobProgress } from './job-progress.ts';
import '../hub/jobcast-hub.ts';
import './job-progress.ts';

let hub: FakeHub;
let hubCount = 0;

beforeEach(() => {
  // A fresh hub URL per test, so no connection or state is shared between tests.
  hub = new FakeHub(`fake://job-progress-${++hubCount}`);
});

afterEach(() => hub.dispose());

const phases = [
  { name: 'plan', label: 'Planning' },
  { name: 'copy', label: 'Copying' },
  { name: 'swap', label: 'Swapping', irreversible: true },
];

async function mount(init: JobInit, attributes: { controls?: boolean } = {}): Promise<{ el: JobProgress; job: Job }> {
  const job = hub.createJob(init);
  const el = await fixture<JobProgress>(
    html`<job-progress hub=${hub.hubUrl} job-id=${job.id} ?controls=${attributes.controls ?? false}></job-progress>`,
  );
  await waitUntil(() => el.job !== null, 'snapshot arrives');
  await el.updateComplete;
  return { el, job };
}

const part = (el: JobProgress, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const text = (el: JobProgress) => el.shadowRoot!.querySelector('.base')!.textContent!.replace(/\s+/g, ' ');
const bar = (el: JobProgress) => el.shadowRoot!.querySelector<HTMLElement>('[role="progressbar"]');
const button = (el: JobProgress, control: string) =>
  el.shadowRoot!.querySelector<HTMLButtonElement>(`button[data-control="${control}"]`);
const liveRegion = (el: JobProgress) => el.shadowRoot!.querySelector('[role="status"]')!.textContent!;

async function settle(el: JobProgress, predicate: () => boolean, message: string): Promise<void> {
  await waitUntil(predicate, message, { timeout: 3000 });
  await el.updateComplete;
}

describe('<job-progress> states', () => {
  it('queued: badge and an indeterminate bar without values', async () => {
    const { el } = await mount({ status: 'queued' });
    expect(part(el, 'status')!.textContent!.trim()).to.equal('Queued');
    expect(bar(el)!.hasAttribute('aria-valuenow')).to.equal(false);
    expect(bar(el)!.hasAttribute('aria-valuemin')).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('running, determinate: percent, step, amount, rate, ETA, elapsed and progressbar values', async () => {
    const { el } = await mount({
      status: 'running',
      phases,
      phase: 'copy',
      labels: { name: 'Orders export' },
      message: 'Copying orders',
      progress: { current: 4200, total: 10000, unit: 'rows', percent: 42, rate: 1250, etaSeconds: 65 },
    });
    const shown = text(el);
    for (const expected of ['Orders export', 'Running', '42%', 'Copying · 2 of 3', '4,200 of 10,000 rows', '1,250 rows/s', '1m 5s left', 'elapsed', 'Copying orders']) {
      expect(shown).to.contain(expected);
    }
    const progressbar = bar(el)!;
    expect(progressbar.getAttribute('aria-valuenow')).to.equal('42');
    expect(progressbar.getAttribute('aria-valuemin')).to.equal('0');
    expect(progressbar.getAttribute('aria-valuemax')).to.equal('100');
    expect(progressbar.getAttribute('aria-valuetext')).to.equal('42% · Copying · 2 of 3 · 4,200 of 10,000 rows');
    expect(progressbar.getAttribute('aria-label')).to.equal('Progress of Orders export');
    expect(part(el, 'fill')!.style.transform).to.equal('scaleX(0.42)');
    await expect(el).to.be.accessible();
  });

  it('formats for the language of the page around it', async () => {
    const job = hub.createJob({ status: 'running', progress: { current: 4200, total: 10000, unit: 'Zeilen', percent: 42 } });
    const wrapper = await fixture(html`<div lang="de-DE"><job-progress hub=${hub.hubUrl} job-id=${job.id}></job-progress></div>`);
    const el = wrapper.querySelector('job-progress')!;
    await settle(el, () => el.job !== null, 'snapshot');
    expect(text(el)).to.contain('4.200 of 10.000 Zeilen');
    expect(text(el)).to.match(/42\s%/);
  });

  it('running, indeterminate: a sweeping bar and the amount so far', async () => {
    const { el } = await mount({ status: 'running', progress: { current: 12, total: null, unit: 'files' } });
    expect(bar(el)!.hasAttribute('aria-valuenow')).to.equal(false);
    expect(bar(el)!.getAttribute('aria-valuetext')).to.equal('12 files');
    expect(part(el, 'fill')!.classList.contains('indeterminate')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('follows phases and announces phase changes, not progress ticks', async () => {
    const { el, job } = await mount({ status: 'running', phases, phase: 'plan', progress: { current: 1, total: 10 } });
    hub.update(job.id, { progress: 2 });
    hub.update(job.id, { phase: 'copy' });
    await settle(el, () => liveRegion(el).includes('Copying'), 'phase announced');
    expect(liveRegion(el)).to.equal(`${job.id}: Copying`);
    expect(text(el)).to.contain('Copying · 2 of 3');
  });

  for (const status of ['paused', 'cancelling', 'rolling_back', 'cancelled'] as const) {
    it(`${status}: shows the status`, async () => {
      const { el } = await mount({ status, phases, phase: 'copy', progress: { current: 5, total: 10, percent: 50 } });
      const expected = { paused: 'Paused', cancelling: 'Cancelling', rolling_back: 'Rolling back', cancelled: 'Cancelled' };
      expect(part(el, 'status')!.textContent!.trim()).to.equal(expected[status]);
      expect(el.shadowRoot!.querySelector('.indeterminate')).to.equal(null);
      await expect(el).to.be.accessible();
    });
  }

  it('completed: shows the result and fires jobcast-complete', async () => {
    const { el, job } = await mount({ status: 'running', progress: { current: 9, total: 10 } });
    const completed = oneEvent(el, 'jobcast-complete');
    hub.update(job.id, { progress: 10, status: 'completed', result: { rows: 10, file: 'export.csv' } });
    const event = await completed;
    expect(event.detail.job.status).to.equal('completed');
    expect(event.bubbles && event.composed).to.equal(true);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('pre.result')!.textContent).to.contain('"file": "export.csv"');
    await settle(el, () => liveRegion(el).includes('Completed'), 'completion announced');
    await expect(el).to.be.accessible();
  });

  it('failed: shows the error code and message and fires jobcast-failed', async () => {
    const { el, job } = await mount({ status: 'running' });
    const failed = oneEvent(el, 'jobcast-failed');
    hub.update(job.id, { status: 'failed', error: { code: 'disk_full', message: 'No space left' } });
    expect((await failed).detail.job.error!.code).to.equal('disk_full');
    await el.updateComplete;
    expect(part(el, 'error')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Error disk_full: No space left');
    await settle(el, () => liveRegion(el).includes('No space left'), 'failure announced');
    await expect(el).to.be.accessible();
  });

  it('shows stalled, throttled and worker-lost badges', async () => {
    const { el, job } = await mount({ status: 'running', stalled: true, throttle: 'rate limit' });
    expect(text(el)).to.contain('Stalled');
    expect(text(el)).to.contain('Throttled: rate limit');
    hub.update(job.id, { status: 'failed', error: { code: 'worker_lost', message: 'lease expired' } });
    await settle(el, () => el.job?.status === 'failed', 'failed');
    expect(text(el)).to.contain('Worker lost');
  });

  it('unknown job: a clear state instead of a spinner', async () => {
    const el = await fixture<JobProgress>(html`<job-progress hub=${hub.hubUrl} job-id="missing"></job-progress>`);
    await settle(el, () => el.unknown, 'not_found arrives');
    expect(text(el)).to.contain('Unknown job');
    expect(text(el)).to.contain('The hub does not know job missing.');
    expect(bar(el)).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('streams partial output, and the output slot replaces the default rendering', async () => {
    const { el, job } = await mount({ status: 'running' });
    hub.update(job.id, { output: 'line 1\n' });
    hub.update(job.id, { output: 'line 2\n' });
    await settle(el, () => el.job?.output === 'line 1\nline 2\n', 'output arrives');
    expect(el.shadowRoot!.querySelector('pre.output-text')!.textContent).to.equal('line 1\nline 2\n');
    await expect(el).to.be.accessible();

    const slotted = document.createElement('div');
    slotted.slot = 'output';
    slotted.textContent = 'custom';
    el.append(slotted);
    const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="output"]')!;
    expect(slot.assignedElements()).to.deep.equal([slotted]);
  });

  it('moves the elapsed time while the job runs, with no event arriving', async () => {
    const startedAt = new Date(Date.now() - 5_000).toISOString();
    const { el } = await mount({ status: 'running', startedAt });
    const elapsed = () => /(\S+) elapsed/.exec(text(el))?.[1];
    const first = elapsed();
    expect(first).to.match(/^[56]s$/);
    await settle(el, () => elapsed() !== first, 'elapsed time moves');
  });

  it('keeps the streamed output scrolled to its end, unless scrolled back', async () => {
    const { el, job } = await mount({ status: 'running' });
    const lines = (from: number) => Array.from({ length: 40 }, (_, index) => `line ${from + index}\n`).join('');
    hub.update(job.id, { output: lines(0) });
    await settle(el, () => el.shadowRoot!.querySelector('pre.output-text') !== null, 'output shown');
    const output = el.shadowRoot!.querySelector<HTMLElement>('pre.output-text')!;
    await settle(el, () => output.scrollTop > 0 && output.scrollTop + output.clientHeight >= output.scrollHeight - 1, 'at the end');

    output.scrollTop = 0;
    hub.update(job.id, { output: lines(40) });
    await settle(el, () => output.textContent!.includes('line 79'), 'more output');
    expect(output.scrollTop).to.equal(0);
  });

  it('uses label overrides', async () => {
    const { el } = await mount({ status: 'running' });
    el.labels = { status: { running: 'Läuft' } };
    await el.updateComplete;
    expect(part(el, 'status')!.textContent!.trim()).to.equal('Läuft');
  });
});

describe('<job-progress> attributes and events', () => {
  it('switches to another job when job-id changes', async () => {
    const { el } = await mount({ status: 'running', labels: { name: 'First' } });
    const second = hub.createJob({ status: 'completed', labels: { name: 'Second' } });
    el.setAttribute('job-id', second.id);
    await settle(el, () => el.job?.id === second.id, 'second job');
    expect(text(el)).to.contain('Second');
    expect(text(el)).not.to.contain('First');
  });

  it('fires jobcast-status and jobcast-progress with the job', async () => {
    const { el, job } = await mount({ status: 'queued', progress: { current: 0, total: 10 } });
    const status = oneEvent(el, 'jobcast-status');
    hub.update(job.id, { status: 'running' });
    expect((await status).detail.job.status).to.equal('running');
    const progress = oneEvent(el, 'jobcast-progress');
    hub.update(job.id, { progress: 3 });
    const event = await progress;
    expect(event.detail.job.progress.current).to.equal(3);
    expect(event.bubbles && event.composed).to.equal(true);
  });
});

describe('<job-progress> controls', () => {
  it('shows only the controls the access token grants, with the token from a provider', async () => {
    hub.dispose();
    hub = new FakeHub(`fake://job-progress-${++hubCount}`, { auth: true });
    const job = hub.createJob({ status: 'running' });
    const tokenProvider = async () => unsignedToken({ exp: Date.now() / 1000 + 60, channels: ['*'], controls: ['cancel'] });
    const host = await fixture(html`<jobcast-hub hub=${hub.hubUrl} .tokenProvider=${tokenProvider}>
      <job-progress job-id=${job.id} controls></job-progress>
    </jobcast-hub>`);
    const el = host.querySelector('job-progress')!;
    await settle(el, () => el.job !== null, 'snapshot arrives');
    expect(button(el, 'cancel')).to.not.equal(null);
    expect(button(el, 'pause')).to.equal(null);
  });

  it('shows only the controls the job allows', async () => {
    const { el } = await mount({ status: 'running' }, { controls: true });
    expect(button(el, 'pause')).to.exist;
    expect(button(el, 'cancel')).to.exist;
    expect(button(el, 'resume')).to.equal(null);
    expect(button(el, 'retry')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows a control in flight, then the new state (pause turns into resume)', async () => {
    const { el } = await mount({ status: 'running' }, { controls: true });
    hub.latencyMs = 200;
    button(el, 'pause')!.click();
    await el.updateComplete;
    expect(button(el, 'pause')!.getAttribute('aria-busy')).to.equal('true');
    expect(button(el, 'pause')!.getAttribute('aria-disabled')).to.equal('true');
    expect(button(el, 'cancel')!.getAttribute('aria-disabled')).to.equal('true');
    await settle(el, () => el.job?.status === 'paused' && button(el, 'resume') !== null, 'paused');
    expect(button(el, 'resume')!.getAttribute('aria-busy')).to.equal('false');
    await expect(el).to.be.accessible();
  });

  it('shows a refused action inline', async () => {
    const { el } = await mount({ status: 'running' }, { controls: true });
    hub.refuseControls({ control: 'cancel', message: 'too late to cancel' });
    button(el, 'cancel')!.click();
    await settle(el, () => part(el, 'error') !== null, 'error shown');
    expect(part(el, 'error')!.getAttribute('role')).to.equal('alert');
    expect(part(el, 'error')!.textContent).to.equal('Cancel failed: too late to cancel');
    expect(el.job!.status).to.equal('running');
    await expect(el).to.be.accessible();
  });

  it('retries a failed job', async () => {
    const { el } = await mount({ status: 'failed', error: { code: 'boom', message: 'Boom' } }, { controls: true });
    button(el, 'retry')!.click();
    await settle(el, () => el.job?.status === 'queued', 'queued again');
    expect(part(el, 'error')).to.equal(null);
  });
});

describe('<job-progress> starting a job', () => {
  beforeEach(() => {
    hub.defineJobType('report', {
      phases: [{ name: 'collect' }, { name: 'render' }],
      timeline: [
        { after: 10, status: 'running', phase: 'collect', progress: { current: 1, total: 2 } },
        { after: 10, phase: 'render', progress: 2 },
        { after: 10, status: 'completed', result: { url: '/report.pdf' } },
      ],
    });
  });

  it('autostart submits type and input, then follows the new job', async () => {
    const el = await fixture<JobProgress>(
      html`<job-progress hub=${hub.hubUrl} type="report" input='{"month":"2026-10"}' autostart></job-progress>`,
    );
    const complete = oneEvent(el, 'jobcast-complete');
    await settle(el, () => el.jobId !== null, 'job submitted');
    expect(el.getAttribute('job-id')).to.equal(el.jobId);
    expect(hub.requests.find((request) => request.path === '/v1/jobs')!.body).to.deep.equal({
      type: 'report',
      input: { month: '2026-10' },
    });
    expect((await complete).detail.job.result).to.deep.equal({ url: '/report.pdf' });
  });

  it('start() resolves with the job; a refused start is shown inline', async () => {
    const el = await fixture<JobProgress>(html`<job-progress hub=${hub.hubUrl} type="report" controls></job-progress>`);
    await settle(el, () => el.shadowRoot!.querySelector('button') !== null, 'start button');
    const job = await el.start();
    expect(el.jobId).to.equal(job.id);

    const other = await fixture<JobProgress>(html`<job-progress hub=${hub.hubUrl} type="nope"></job-progress>`);
    let rejected = false;
    await other.start().catch(() => (rejected = true));
    await other.updateComplete;
    expect(rejected).to.equal(true);
    expect(part(other, 'error')!.textContent).to.contain('Start failed: no job type nope');
    await expect(other).to.be.accessible();
  });
});
