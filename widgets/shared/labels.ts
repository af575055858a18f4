import type { Control, JobStatus } from '../../server/protocol/job.ts';

/**
 * Every text the widgets show or announce, in English. Pages translate them by setting an
 * element's `labels` property (or `labels` attribute as JSON) to a partial object; it is merged
 * over these defaults. `{name}` placeholders are filled in by `fill()`.
 */
export const DEFAULT_LABELS = {
  status: {
    queued: 'Queued',
    running: 'Running',
    paused: 'Paused',
    cancelling: 'Cancelling',
    rolling_back: 'Rolling back',
    completed: 'Completed',
    failed: 'Failed',
    cancelled: 'Cancelled',
    rolled_back: 'Rolled back',
  } satisfies Record<JobStatus, string>,
  control: {
    cancel: 'Cancel',
    pause: 'Pause',
    resume: 'Resume',
    retry: 'Retry',
    rollback: 'Roll back',
  } satisfies Record<Control, string>,
  connecting: 'Connecting…',
  noJob: 'No job',
  unknownJob: 'Unknown job',
  unknownJobDetail: 'The hub does not know job {id}.',
  progressOf: 'Progress of {name}',
  step: '{phase} · {index} of {count}',
  amount: '{current} of {total}',
  amountWithUnit: '{current} of {total} {unit}',
  amountSoFar: '{current} {unit}',
  rate: '{rate}/s',
  rateWithUnit: '{rate} {unit}/s',
  eta: '{duration} left',
  elapsed: '{duration} elapsed',
  output: 'Output',
  result: 'Result',
  errorCode: 'Error {code}',
  controlFailed: '{control} failed: {message}',
  controlsOf: 'Actions for {name}',
  start: 'Start',
  startFailed: 'Start failed: {message}',
  throttled: 'Throttled: {reason}',
  stalled: 'Stalled',
  workerLost: 'Worker lost',
  irreversible: 'Point of no return',
  confirmIrreversible: '{control} {name}? It is past the point of no return.',
  confirmRollback: 'Roll back {name}? Its changes will be undone.',
  confirmCancel: 'Cancel {name}?',
  confirm: 'Yes, {control}',
  dismiss: 'No, keep it',
  statusChanged: '{name}: {status}',
  phaseChanged: '{name}: {phase}',
  failedWith: '{name}: Failed, {message}',
  moreMilestones: '{count} more updates',
  board: 'Migrations',
  summary: '{count} migrations',
  summaryOne: '{count} migration',
  overallProgress: 'Overall progress',
  search: 'Search',
  searchPlaceholder: 'Id, label or message',
  filterStatus: 'Status',
  allStatuses: 'All statuses',
  sortBy: 'Sort by',
  sortAscending: 'Ascending',
  sortDescending: 'Descending',
  noMigrations: 'No migrations yet.',
  noMatches: 'No migrations match.',
  columnName: 'Migration',
  columnPlan: 'Phases',
  columnProgress: 'Progress',
  columnRecords: 'Records',
  columnRate: 'Rate',
  columnEta: 'ETA',
  columnStatus: 'Status',
  columnControls: 'Actions',
  sortCreated: 'Created',
  sortProgress: 'Progress',
  sortStatus: 'Status',
  sortName: 'Name',
  tables: 'Tables',
  showTables: 'Tables of {name}',
  noTables: 'No per-table progress.',
  phasePlan: 'Phases of {name}',
  phaseDone: '{phase}, done',
  phaseCurrent: '{phase}, current',
  phaseUpcoming: '{phase}, upcoming',
};

export type Labels = typeof DEFAULT_LABELS;

/** What a page may pass: any subset, including a subset of the nested status and control texts. */
export type LabelOverrides = Partial<Omit<Labels, 'status' | 'control'>> & {
  status?: Partial<Labels['status']>;
  control?: Partial<Labels['control']>;
};

const merged = new WeakMap<LabelOverrides, Labels>();

/**
 * The defaults with `overrides` merged over them. The result is cached per overrides object, so
 * an unchanged `labels` property yields the identical object (rows keyed on it stay cached).
 */
export function mergeLabels(overrides: LabelOverrides | null | undefined): Labels {
  if (!overrides) return DEFAULT_LABELS;
  let labels = merged.get(overrides);
  if (!labels) {
    labels = {
      ...DEFAULT_LABELS,
      ...overrides,
      status: { ...DEFAULT_LABELS.status, ...overrides.status },
      control: { ...DEFAULT_LABELS.control, ...overrides.control },
    };
    merged.set(overrides, labels);
  }
  return labels;
}

/** Replaces `{key}` placeholders; unknown keys are left visible so a mistranslation is noticed. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}
