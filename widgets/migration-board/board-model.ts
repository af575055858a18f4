import type { Control, Job, JobStatus } from '../../server/protocol/job.ts';
import { jobName } from '../shared/job-view.ts';

export type SortKey = 'created' | 'progress' | 'status' | 'name';
export type SortDirection = 'ascending' | 'descending';

/** The board's controls, in display order. */
export const BOARD_CONTROLS: readonly Control[] = ['pause', 'resume', 'cancel', 'rollback'];

/** Status sort order: what needs attention first, finished work last. */
const STATUS_ORDER: readonly JobStatus[] = [
  'failed',
  'rolling_back',
  'cancelling',
  'running',
  'paused',
  'queued',
  'completed',
  'rolled_back',
  'cancelled',
];

/** What each sort key orders by; names are compared with the locale's collator, the rest by value. */
const SORT_VALUES: Record<SortKey, (job: Job) => string | number> = {
  created: (job) => job.createdAt,
  progress: effectivePercent,
  status: (job) => STATUS_ORDER.indexOf(job.status),
  name: jobName,
};

export interface ViewOptions {
  status: JobStatus | null;
  query: string;
  sortKey: SortKey;
  direction: SortDirection;
  collator: Intl.Collator;
}

/** Two values of one kind in ascending order. */
const byValue = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/** Case-insensitive search over id, label keys and values, and the latest message. */
export function matchesQuery(job: Job, query: string): boolean {
  const needle = query.trim().toLowerCase();
  // Without a search (the common case, on every frame) nothing is allocated.
  return (
    !needle ||
    [job.id, job.message ?? '', ...Object.entries(job.labels).flat()].some((text) => text.toLowerCase().includes(needle))
  );
}

/** Percent for sorting and the overall figure: finished work counts as done, unknown as nothing. */
export function effectivePercent(job: Job): number {
  return job.status === 'completed' ? 100 : (job.progress.percent ?? 0);
}

/** The jobs to show, filtered and sorted; ties fall back to id so the order never flickers. */
export function buildView(jobs: Iterable<Job>, { status, query, sortKey, direction, collator }: ViewOptions): Job[] {
  const value = SORT_VALUES[sortKey];
  const compare = (sortKey === 'name' ? collator.compare : byValue) as typeof byValue;
  const sign = direction === 'ascending' ? 1 : -1;
  return [...jobs]
    .filter((job) => (!status || job.status === status) && matchesQuery(job, query))
    .sort((a, b) => sign * compare(value(a), value(b)) || byValue(a.id, b.id));
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
  return { total, byStatus, percent: total ? percentSum / total : null };
}

/** True once the job has entered (or finished) its irreversible phase. */
export function pastPointOfNoReturn(job: Job): boolean {
  const boundary = job.phases.findIndex((phase) => phase.irreversible);
  return boundary >= 0 && job.phases.findIndex((phase) => phase.name === job.phase) >= boundary;
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
  const tops = [0];
  for (const job of view) tops.push(tops[tops.length - 1]! + rowHeight + (expanded.has(job.id) ? breakdownHeight : 0));
  return tops;
}

/**
 * Rows overlapping [scrollTop, scrollTop + height), widened by `overscan` rows each side: [start, end).
 * A linear scan: even thousands of rows take microseconds.
 */
export function visibleRange(tops: readonly number[], scrollTop: number, height: number, overscan: number): [number, number] {
  const count = tops.length - 1;
  let start = 0;
  while (start < count && tops[start + 1]! <= scrollTop) start++;
  let end = start;
  while (end < count && tops[end]! < scrollTop + height) end++;
  return [Math.max(0, start - overscan), Math.min(count, end + overscan)];
}
