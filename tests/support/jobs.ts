import type { Job, JobStatus } from "../../server/protocol/index.ts";
import { newJob } from "../../server/protocol/new-job.ts";
import type { JobChange } from "../../server/engines/engine.ts";

let counter = 0;

/** A valid, queued Job as the layer above an engine would hand it to `create`. */
export function testJob(overrides: Partial<Job> = {}): Job {
  counter++;
  return newJob({
    id: `job-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    type: "test",
    ...overrides,
  });
}

const TERMINAL: JobStatus[] = ["completed", "failed", "cancelled", "rolled_back"];

/** A status change, with finishedAt set when the new status is terminal. */
export function toStatus(status: JobStatus, patch: Partial<Job> = {}) {
  return (job: Job): JobChange => ({
    job: { ...job, status, finishedAt: TERMINAL.includes(status) ? new Date().toISOString() : job.finishedAt, ...patch },
    event: { kind: "status", status, from: job.status },
  });
}

/** A progress sample that sets `current` absolutely. */
export function toProgress(current: number) {
  return (job: Job): JobChange => ({
    job: { ...job, progress: { ...job.progress, current } },
    event: { kind: "progress" },
  });
}

export function logLine(message: string) {
  return (job: Job): JobChange => ({ job, event: { kind: "log", level: "info", message } });
}
