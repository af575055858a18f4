import type { Job } from '../../server/protocol/job.ts';
import { newJob } from '../../server/protocol/new-job.ts';

/** A complete, valid Job with `overrides` applied: for tests, stories and benchmarks. */
export function makeJob(overrides: Partial<Job> = {}): Job {
  const now = '2026-11-21T10:00:00.000Z';
  return newJob({ id: 'job-1', type: 'demo', seq: 1, createdAt: now, updatedAt: now, ...overrides });
}
