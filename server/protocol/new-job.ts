import type { Job } from "./job.ts";

/**
 * A queued job with every field at its starting value and `fields` applied. Free of zod, so the
 * browser-side fake hub and test fixtures build jobs the same way the hub does.
 */
export function newJob(fields: Pick<Job, "id" | "type"> & Partial<Job>): Job {
  const now = new Date().toISOString();
  return {
    status: "queued",
    phase: null,
    phases: [],
    progress: { current: 0, total: null, unit: null, percent: null, rate: null, etaSeconds: null },
    scopes: [],
    message: null,
    counters: {},
    throttle: null,
    stalled: false,
    output: null,
    result: null,
    error: null,
    input: null,
    labels: {},
    key: null,
    external: false,
    leaseSeconds: null,
    leaseExpiresAt: null,
    attempt: 1,
    controls: [],
    seq: 0,
    createdAt: now,
    startedAt: null,
    updatedAt: now,
    finishedAt: null,
    ...fields,
  };
}
