import type { Control, Job, JobError, JobStatus } from "../protocol/index.ts";
import { isTerminal } from "../protocol/states.ts";
import type { JobChange } from "../engines/engine.ts";

/** What a job type supports beyond cancel. */
export interface Capabilities {
  pause: boolean;
  rollback: boolean;
  retry: boolean;
}

export const EXTERNAL_CAPABILITIES: Capabilities = { pause: false, rollback: false, retry: false };

/** A control refused because of the job's state; answered with 409 and the current status. */
export class ConflictError extends Error {
  constructor(readonly code: "conflict" | "job_finished", message: string, readonly status: JobStatus) {
    super(message);
  }
}

/** True once the job has entered an irreversible phase: it can no longer be rolled back. */
export function pastPointOfNoReturn(job: Job): boolean {
  const firstIrreversible = job.phases.findIndex((phase) => phase.irreversible);
  if (firstIrreversible < 0 || job.phase === null) return false;
  return job.phases.findIndex((phase) => phase.name === job.phase) >= firstIrreversible;
}

/** The one state machine: which controls each state allows. */
export function allowedControls(job: Pick<Job, "status" | "phase" | "phases">, caps: Capabilities): Control[] {
  const rollback = caps.rollback && !pastPointOfNoReturn(job as Job);
  switch (job.status) {
    case "queued":
      return ["cancel"];
    case "running":
      return [...(["cancel"] as const), ...(caps.pause ? ["pause" as const] : []), ...(rollback ? ["rollback" as const] : [])];
    case "paused":
      return ["resume", "cancel", ...(rollback ? ["rollback" as const] : [])];
    case "failed":
    case "cancelled":
      return [...(caps.retry ? ["retry" as const] : []), ...(rollback ? ["rollback" as const] : [])];
    case "rolled_back":
      return caps.retry ? ["retry"] : [];
    case "cancelling":
    case "rolling_back":
    case "completed":
      return [];
  }
}

/** Builds a status change, keeping `controls` and the timestamps consistent with the new status. */
export function statusChange(job: Job, status: JobStatus, caps: Capabilities, patch: Partial<Job> = {}): JobChange {
  const now = new Date().toISOString();
  const next: Job = {
    ...job,
    ...patch,
    status,
    startedAt: patch.startedAt !== undefined ? patch.startedAt : job.startedAt ?? (status === "running" ? now : null),
    finishedAt: isTerminal(status) ? now : null,
    leaseExpiresAt: isTerminal(status) ? null : patch.leaseExpiresAt ?? job.leaseExpiresAt,
    stalled: isTerminal(status) ? false : patch.stalled ?? job.stalled,
  };
  next.controls = allowedControls(next, caps);
  return { job: next, event: { kind: "status", status, from: job.status } };
}

/** The status a control leads to from the job's current state, or a ConflictError. */
export function controlTarget(job: Job, control: Control, caps: Capabilities): JobStatus {
  if (!allowedControls(job, caps).includes(control)) {
    throw new ConflictError(
      isTerminal(job.status) ? "job_finished" : "conflict",
      `cannot ${control} a job that is ${job.status.replace("_", " ")}`,
      job.status,
    );
  }
  switch (control) {
    case "cancel":
      // A queued job or an outside worker's job has no handler here to wind down.
      return job.status === "queued" || job.external ? "cancelled" : "cancelling";
    case "pause":
      return "paused";
    case "resume":
      return "running";
    case "retry":
      return "queued";
    case "rollback":
      return "rolling_back";
  }
}

/** The fields a retry resets: it starts the job over as a new attempt. */
export function freshAttempt(job: Job): Partial<Job> {
  return {
    attempt: job.attempt + 1,
    phase: null,
    progress: { current: 0, total: job.progress.total, unit: job.progress.unit, percent: job.progress.total ? 0 : null, rate: null, etaSeconds: null },
    scopes: [],
    message: null,
    counters: {},
    throttle: null,
    output: null,
    result: null,
    error: null,
    startedAt: null,
  };
}

export function failure(code: string, message: string, details?: unknown): JobError {
  return details === undefined ? { code, message } : { code, message, details };
}
