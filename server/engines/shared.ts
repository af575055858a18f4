import type { EventBody, Job, JobEvent } from "../protocol/index.ts";
import type { JobFilter } from "./engine.ts";

/** A short random id naming one history; resume positions from another epoch are not replayed. */
export function newEpoch(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** Stamps a change with the job's next seq and the hub-wide offset; the event carries the job's new state. */
export function buildEvent(previousSeq: number, offset: number, job: Job, body: EventBody): JobEvent {
  const ts = new Date().toISOString();
  const seq = previousSeq + 1;
  const stamped: Job = { ...job, seq, updatedAt: ts };
  return { jobId: job.id, seq, offset, ts, ...body, job: stamped } as JobEvent;
}

export function matchesFilter(job: Job, filter: Omit<JobFilter, "limit" | "cursor">): boolean {
  if (filter.type !== undefined && job.type !== filter.type) return false;
  if (filter.status !== undefined && job.status !== filter.status) return false;
  for (const [name, value] of Object.entries(filter.labels ?? {})) {
    if (job.labels[name] !== value) return false;
  }
  return true;
}
