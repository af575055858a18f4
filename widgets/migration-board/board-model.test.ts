import { expect } from '@open-wc/testing';
import type { Job } from '../../server/protocol/job.ts';
import { makeJob } from '../shared/job-fixture.ts';
import {
  buildView,
  matchesQuery,
  needsConfirmation,
  pastPointOfNoReturn,
  rowTops,
  summarize,
  visibleRange,
  type ViewOptions,
} from './board-model.ts';

const phases = [
  { name: 'copy', irreversible: false },
  { name: 'swap', irreversible: true },
  { name: 'cleanup', irreversible: false },
];

function migration(id: string, overrides: Partial<Job> = {}): Job {
  return makeJob({ id, type: 'migration', phases, ...overrides });
}

const percent = (value: number | null) => ({ current: 0, total: null, unit: null, percent: value, rate: null, etaSeconds: null });

describe('board model', () => {
  const jobs = [
    migration('m-b', { status: 'running', labels: { name: 'Orders' }, progress: percent(50), createdAt: '2026-01-02T00:00:00.000Z' }),
    migration('m-a', { status: 'failed', labels: { name: 'accounts' }, progress: percent(10), createdAt: '2026-01-03T00:00:00.000Z' }),
    migration('m-c', { status: 'completed', labels: { name: 'Zebra' }, message: 'all done', createdAt: '2026-01-01T00:00:00.000Z' }),
  ];
  const options: ViewOptions = {
    status: null,
    query: '',
    sortKey: 'created',
    direction: 'ascending',
    collator: new Intl.Collator('en'),
  };
  const ids = (view: Job[]) => view.map((job) => job.id);

  it('sorts by each key in both directions', () => {
    expect(ids(buildView(jobs, options))).to.deep.equal(['m-c', 'm-b', 'm-a']);
    expect(ids(buildView(jobs, { ...options, sortKey: 'name' }))).to.deep.equal(['m-a', 'm-b', 'm-c']);
    expect(ids(buildView(jobs, { ...options, sortKey: 'progress' }))).to.deep.equal(['m-a', 'm-b', 'm-c']);
    expect(ids(buildView(jobs, { ...options, sortKey: 'progress', direction: 'descending' }))).to.deep.equal([
      'm-c',
      'm-b',
      'm-a',
    ]);
    expect(ids(buildView(jobs, { ...options, sortKey: 'status' }))).to.deep.equal(['m-a', 'm-b', 'm-c']);
  });

  it('filters by status and searches id, labels and message', () => {
    expect(ids(buildView(jobs, { ...options, status: 'running' }))).to.deep.equal(['m-b']);
    expect(ids(buildView(jobs, { ...options, query: 'ORDERS' }))).to.deep.equal(['m-b']);
    expect(ids(buildView(jobs, { ...options, query: 'done' }))).to.deep.equal(['m-c']);
    expect(matchesQuery(jobs[1]!, 'm-a')).to.equal(true);
    expect(matchesQuery(jobs[1]!, 'nothing')).to.equal(false);
  });

  it('summarises counts and overall progress', () => {
    const summary = summarize(jobs);
    expect(summary.total).to.equal(3);
    expect(summary.byStatus.get('running')).to.equal(1);
    expect(summary.percent).to.be.closeTo((50 + 10 + 100) / 3, 0.001);
    expect(summarize([]).percent).to.equal(null);
  });

  it('asks for confirmation for rollback, cancel and anything past the point of no return', () => {
    const copying = migration('m', { phase: 'copy' });
    const swapping = migration('m', { phase: 'swap' });
    expect(pastPointOfNoReturn(copying)).to.equal(false);
    expect(pastPointOfNoReturn(swapping)).to.equal(true);
    expect(needsConfirmation(copying, 'pause')).to.equal(false);
    expect(needsConfirmation(copying, 'cancel')).to.equal(true);
    expect(needsConfirmation(copying, 'rollback')).to.equal(true);
    expect(needsConfirmation(swapping, 'pause')).to.equal(true);
  });

  it('lays out rows and finds the visible window', () => {
    const view = [migration('a'), migration('b'), migration('c'), migration('d')];
    const tops = rowTops(view, 10, new Set(['b']), 100);
    expect(tops).to.deep.equal([0, 10, 120, 130, 140]);
    expect(visibleRange(tops, 0, 15, 0)).to.deep.equal([0, 2]);
    expect(visibleRange(tops, 115, 10, 0)).to.deep.equal([1, 3]);
    expect(visibleRange(tops, 115, 10, 5)).to.deep.equal([0, 4]);
  });
});
