import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { JobInit, TimelineStep } from '../widgets/testing/fake-hub.ts';
import { fakeHubStory, type HubArgs } from './support/fake-hub-story.ts';
import { MIGRATION_PHASES, minutesAgo, progressSteps } from './support/timelines.ts';

const meta: Meta<HubArgs> = {
  title: 'Widgets/job-progress',
  component: 'job-progress',
};
export default meta;

type Story = StoryObj<HubArgs>;

interface Display {
  /** Shows the control buttons. */
  controls?: boolean;
  /** Width of the box around the element. */
  width?: string;
}

const card = (hubUrl: string, jobId: string, display: Display = {}) =>
  html`<div style=${styleMap({ maxInlineSize: display.width ?? '36rem' })}>
    <job-progress hub=${hubUrl} job-id=${jobId} ?controls=${display.controls}></job-progress>
  </div>`;

/** One `<job-progress>` following a job created in `init` and playing `timeline`. */
function jobStory(init: JobInit & { id: string }, timeline: TimelineStep[] = [], display: Display = {}): Story {
  return fakeHubStory({
    setup(hub) {
      hub.createJob(init);
      if (timeline.length > 0) hub.play(init.id, timeline);
    },
    render: (hubUrl) => card(hubUrl, init.id, display),
  });
}

const EXPORT: JobInit & { id: string } = {
  id: 'export-2026-11',
  type: 'export',
  labels: { name: 'Customer export, November' },
  startedAt: minutesAgo(3),
};

const exportRun = (from: number): TimelineStep[] => [
  ...progressSteps({ from, to: 250_000, total: 250_000, unit: 'rows', steps: 60, everyMs: 1000 }),
  { after: 500, status: 'completed', message: 'Export ready', result: { file: 'customers-2026-11.csv', rows: 250_000 } },
];

export const RunningDeterminate = jobStory(
  {
    ...EXPORT,
    status: 'running',
    message: 'Exporting customers',
    progress: { current: 40_000, total: 250_000, unit: 'rows', percent: 16 },
  },
  exportRun(40_000),
);

export const Queued = jobStory(
  { ...EXPORT, status: 'queued', startedAt: null, message: 'Waiting for a free worker' },
  [{ after: 8000, status: 'running', message: 'Exporting customers' }, ...exportRun(0)],
);

export const RunningIndeterminate = jobStory(
  {
    id: 'scan-logs',
    type: 'scan',
    status: 'running',
    startedAt: minutesAgo(2),
    labels: { name: 'Scan access logs' },
    message: 'Counting matching lines',
  },
  [
    ...progressSteps({ to: 480_000, total: null, unit: 'lines', steps: 40, everyMs: 1000 }),
    { after: 1000, status: 'completed', message: 'Found 480,000 matching lines' },
  ],
);

const ETL_PHASES = [
  { name: 'extract', label: 'Extract', weight: 2 },
  { name: 'transform', label: 'Transform', weight: 3 },
  { name: 'load', label: 'Load', weight: 1 },
];

export const WithPhasesAndSteps = jobStory(
  {
    id: 'etl-sales',
    type: 'etl',
    status: 'running',
    startedAt: minutesAgo(2),
    phase: 'extract',
    phases: ETL_PHASES,
    labels: { name: 'Sales warehouse refresh' },
    message: 'Reading orders from the shop database',
  },
  [
    ...progressSteps({ to: 30, total: 100, unit: 'batches', steps: 6, everyMs: 1000 }),
    { after: 1000, phase: 'transform', message: 'Joining orders with customers' },
    ...progressSteps({ from: 30, to: 80, total: 100, unit: 'batches', steps: 10, everyMs: 1000 }),
    { after: 1000, phase: 'load', message: 'Writing the fact tables' },
    ...progressSteps({ from: 80, to: 100, total: 100, unit: 'batches', steps: 4, everyMs: 1000 }),
    { after: 500, status: 'completed', message: 'Warehouse refreshed' },
  ],
);

export const Paused = fakeHubStory({
  setup(hub) {
    hub.createJob({
      ...EXPORT,
      status: 'paused',
      message: 'Paused by alice@example.com',
      progress: { current: 105_000, total: 250_000, unit: 'rows', percent: 42 },
    });
    // Resume (the button) carries on where the timeline stopped.
    hub.play(EXPORT.id, exportRun(105_000)).pause();
  },
  render: (hubUrl) => card(hubUrl, EXPORT.id, { controls: true }),
});

export const Cancelling = jobStory(
  {
    ...EXPORT,
    status: 'cancelling',
    message: 'Stopping after the current batch',
    progress: { current: 61_000, total: 250_000, unit: 'rows', percent: 24.4 },
  },
  [{ after: 4000, status: 'cancelled', message: 'Cancelled by alice@example.com' }],
);

export const RollingBack = jobStory(
  {
    id: 'migration-orders',
    type: 'migration',
    status: 'rolling_back',
    startedAt: minutesAgo(2),
    phase: 'copy',
    phases: MIGRATION_PHASES,
    labels: { name: 'orders_db → orders_db_v2' },
    message: 'Rolling back: truncating 5 copied tables',
    progress: { current: 1, total: 5, unit: 'tables', percent: 20 },
  },
  [
    ...progressSteps({ from: 1, to: 5, total: 5, unit: 'tables', steps: 4, everyMs: 1500 }),
    { after: 1000, phase: 'schema', message: 'Rolling back: dropping the new schema' },
    { after: 1500, status: 'rolled_back', message: 'Rolled back; orders_db is unchanged' },
  ],
);

export const CompletedWithResult = jobStory({
  ...EXPORT,
  status: 'completed',
  message: 'Export ready',
  progress: { current: 250_000, total: 250_000, unit: 'rows', percent: 100 },
  result: { file: 'customers-2026-11.csv', rows: 250_000, bytes: 48_213_004 },
});

export const FailedWithError = jobStory({
  ...EXPORT,
  status: 'failed',
  message: 'Exporting customers',
  progress: { current: 158_000, total: 250_000, unit: 'rows', percent: 63.2 },
  error: { code: 'source_unreachable', message: 'Lost the connection to crm-db-2 after 3 retries' },
});

export const Cancelled = jobStory({
  ...EXPORT,
  status: 'cancelled',
  message: 'Cancelled by alice@example.com',
  progress: { current: 61_000, total: 250_000, unit: 'rows', percent: 24.4 },
});

export const UnknownJob = fakeHubStory({
  render: (hubUrl) => card(hubUrl, 'job-that-never-was'),
});

export const WithControls = jobStory(
  {
    id: 'migration-billing',
    type: 'migration',
    status: 'running',
    startedAt: minutesAgo(2),
    phase: 'copy',
    phases: MIGRATION_PHASES,
    labels: { name: 'billing_db → billing_db_v2' },
    message: 'Copying 2,400,000 rows',
    progress: { current: 300_000, total: 2_400_000, unit: 'rows', percent: 12.5 },
  },
  [
    ...progressSteps({ from: 300_000, to: 2_400_000, total: 2_400_000, unit: 'rows', steps: 60, everyMs: 1000 }),
    { after: 1000, phase: 'verify', message: 'Comparing checksums' },
    { after: 2000, phase: 'cutover', message: 'Moving traffic to billing_db_v2' },
    { after: 2000, phase: 'cleanup', message: 'Dropping the old replication slot' },
    { after: 1000, status: 'completed', message: 'Migrated' },
  ],
  { controls: true },
);

const ANSWER =
  'Revenue grew 12% quarter on quarter, driven by the Nordic region (+31%). ' +
  'Churn fell to 2.1%, the lowest since the pricing change in March. ' +
  'Two risks stand out: the backlog of unpaid invoices over 90 days, and a dip in new trials in October.';

export const StreamedOutput = jobStory(
  {
    id: 'summary-q3',
    type: 'ai-summary',
    status: 'running',
    startedAt: minutesAgo(2),
    phase: 'generate',
    phases: [{ name: 'retrieve', label: 'Retrieve documents' }, { name: 'generate', label: 'Write the summary' }],
    labels: { name: 'Quarterly summary' },
    message: 'Writing the summary from 48 documents',
  },
  [
    ...(ANSWER.match(/\S+\s*/g) ?? []).map((word) => ({ after: 120, output: word })),
    { after: 500, status: 'completed', message: 'Summary written', result: { words: ANSWER.split(' ').length } },
  ],
);

export const LongMessageNarrowWidth = jobStory(
  {
    id: 'reindex-search-catalogue-europe-west-4-primary',
    type: 'reindex',
    status: 'running',
    startedAt: minutesAgo(2),
    labels: { name: 'Reindex search-catalogue-europe-west-4-primary' },
    message:
      'Rebuilding the product search index for 38 storefronts; the old index keeps serving queries until the ' +
      'new one has caught up with the change stream, which may take a while on a busy day.',
    progress: { current: 1_200_000, total: 9_750_000, unit: 'documents', percent: 12.3 },
  },
  progressSteps({ from: 1_200_000, to: 9_750_000, total: 9_750_000, unit: 'documents', steps: 60, everyMs: 1000 }),
  { width: '16rem', controls: true },
);
