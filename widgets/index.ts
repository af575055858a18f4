/**
 * The script-tag entry: defines every Jobcast element and exposes the client.
 *
 * ```html
 * <script type="module" src="https://hub.example/widgets/jobcast.js"></script>
 * <connection-indicator></connection-indicator>
 * <job-progress job-id="abc"></job-progress>
 * ```
 */
// The provider first, so it is upgraded before the widgets inside it ask for their hub.
export { JobcastHub } from './hub/jobcast-hub.ts';
export { ConnectionIndicator, INDICATOR_LABELS, type IndicatorLabels } from './connection-indicator/connection-indicator.ts';
export { JobProgress } from './job-progress/job-progress.ts';
export { MigrationBoard } from './migration-board/migration-board.ts';
export * from './client/index.ts';
