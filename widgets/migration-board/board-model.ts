import type { Control, Job, JobStatus } from '../../server/protocol/job.ts';
import { jobName } from '../shared/job-view.ts';

export const SORT_KEYS = ['created', 'progress', 'status', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'ascending' | 'descending';

/** The board's controls, in display order. */
export const BOARD_CONTROLS: readonly Control[] = ['pause', 'resume', 'cancel', 'rollback'];

/** Status sort order: what needs attention first, finished work last. */
const STATUS_RANK: Record<JobStatus, number> = {
  failed: 0,
  rolling_back: 1,
  cancelling: 2,
  running: 3,
  paused: 4,
  queued: 5,
  completed: 6,
  rolled_back: 7,
  cancelled: 8,
};

export interface ViewOptions {
  status: JobStatus | null;
  query: string;
  sortKey: SortKey;
  direction: SortDirection;
  collator: Intl.Collator;
}

/** Case-insensitive search over id, label keys and values, and the latest message. */
export function matchesQuery(job: Job, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (!needle) return true;
  if (job.id.toLowerCase().includes(needle)) return true;
  if (job.message?.toLowerCase().includes(needle)) return true;
  return Object.entries(job.labels).some(
    ([key, value]) => key.toLowerCase().includes(needle) || value.toLowerCase().includes(needle),
  );
}

/** Percent for sorting and the overall figure: finished work counts as done, unknown as nothing. */
export function effectivePercent(job: Job): number {
  if (job.status === 'completed') return 100;
  return job.progress.percent ?? 0;
}

export function compareJobs(a: Job, b: Job, key: SortKey, collator: Intl.Collator): number {
  switch (key) {
    case 'created':
      return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
    case 'progress':
      return effectivePercent(a) - effectivePercent(b);
    case 'status':
      return STATUS_RANK[a.status] - STATUS_RANK[b.status];
    case 'name':
      return collator.compare(jobName(a), jobName(b));
  }
}

/** The jobs to show, filtered and sorted; ties fall back to id so the order never flickers. */
export function buildView(jobs: Iterable<Job>, options: ViewOptions): Job[] {
  const sign = options.direction === 'ascending' ? 1 : -1;
  const view: Job[] = [];
  for (const job of jobs) {
    if (options.status && job.status !== options.status) continue;
    if (!matchesQuery(job, options.query)) continue;
    view.push(job);
  }
  return view.sort(
    (a, b) => sign * compareJobs(a, b, options.sortKey, options.collator) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export interface Summary {
  total: number;
  byStatus: Map<JobStatus, number>;
  /** Mean of effectivePercent over all jobs, null for an empty board. */
  percent: number | null;
}

export function summarize(jobs: Iterable<Job>): Summary {
  const byStatus = new Map<JobStatus, number>();
  let total = 0;
  let percentSum = 0;
  for (const job of jobs) {
    total += 1;
    percentSum += effectivePercent(job);
    byStatus.set(job.status, (byStatus.get(job.status) ?? 0) + 1);
  }
  return { total, byStatus, percent: total === 0 ? null : percentSum / total };
}

/** Index of the first irreversible phase, or -1. */
export function irreversibleIndex(job: Job): number {
  return job.phases.findIndex((phase) => phase.irreversible);
}

/** True once the job has entered (or finished) its irreversible phase. */
export function pastPointOfNoReturn(job: Job): boolean {
  const boundary = irreversibleIndex(job);
  if (boundary < 0 || job.phase === null) return false;
  return job.phases.findIndex((phase) => phase.name === job.phase) >= boundary;
}

/** Rollback and cancel always ask first; anything else asks once the job is past the point of no return. */
export function needsConfirmation(job: Job, control: Control): boolean {
  return control === 'rollback' || control === 'cancel' || pastPointOfNoReturn(job);
}

/**
 * Vertical layout of the windowed rows: every row has the same height, an expanded row adds the
 * breakdown's height. `tops[i]` is row i's offset; `tops[length]` is the total height.
 */
export function rowTops(view: readonly Job[], rowHeight: number, expanded: ReadonlySet<string>, breakdownHeight: number): number[] {
  const tops = new Array<number>(view.length + 1);
  let top = 0;
  for (let index = 0; index < view.length; index++) {
    tops[index] = top;
    top += rowHeight + (expanded.has(view[index]!.id) ? breakdownHeight : 0);
  }
  tops[view.length] = top;
  return tops;
}

/** Rows overlapping [scrollTop, scrollTop + height), widened by `overscan` rows each side: [start, end). */
export function visibleRange(tops: readonly number[], scrollTop: number, height: number, overscan: number): [number, number] {
  const count = tops.length - 1;
  // Binary search for the last row starting at or above scrollTop.
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (tops[middle + 1]! <= scrollTop) low = middle + 1;
    else high = middle;
  }
  let end = low;
  while (end < count && tops[end]! < scrollTop + height) end++;
  return [Math.max(0, low - overscan), Math.min(count, end + overscan)];
}
