import type { Job } from '../../server/protocol/job.ts';

/** A complete, valid Job with `overrides` applied: for tests, stories and benchmarks. */
export function makeJob(overrides: Partial<Job> = {}): Job {
  const now = '2026-11-21T10:00:00.000Z';
  return {
    id: 'job-1',
    type: 'demo',
    status: 'queued',
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
    seq: 1,
    createdAt: now,
    startedAt: null,
    updatedAt: now,
    finishedAt: null,
    ...overrides,
  };
}
