/** Job states and controls as plain values, free of zod so that browser-side code can share them. */
export const JOB_STATUSES = [
  "queued",
  "running",
  "paused",
  "cancelling",
  "rolling_back",
  "completed",
  "failed",
  "cancelled",
  "rolled_back",
] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];

/** The states a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatusName[] = ["completed", "failed", "cancelled", "rolled_back"];
export const isTerminal = (status: JobStatusName): boolean => TERMINAL_STATUSES.includes(status);

export const CONTROLS = ["cancel", "pause", "resume", "retry", "rollback"] as const;
