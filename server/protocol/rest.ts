import { z } from "zod";
import { JOB_STATUSES, Labels } from "./job.ts";

export const CreateJobBody = z.object({
  type: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/i, "letters, digits, '.', '_' or '-'"),
  input: z.unknown().optional(),
  /** Idempotency key: submitting the same key again returns the same job. */
  key: z.string().min(1).max(256).optional(),
  labels: Labels.optional(),
  /** Reported by an outside worker over HTTP instead of an in-process handler. */
  external: z.boolean().optional(),
  /** For external jobs: how long the worker may stay silent before the job fails with `worker_lost`. */
  leaseSeconds: z.number().int().min(1).max(86_400).optional(),
}).strict();
export type CreateJobBody = z.infer<typeof CreateJobBody>;

const LabelFilter = z.string().regex(/^[^=\u0000]{1,64}=[^\u0000]{0,256}$/, "label filters look like name=value");

export const ListJobsQuery = z.object({
  type: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, '.', '_' or '-'").optional(),
  status: z.enum(JOB_STATUSES).optional(),
  label: z.array(LabelFilter).max(16).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/, "a cursor from a previous page").optional(),
});
export type ListJobsQuery = z.infer<typeof ListJobsQuery>;

export const EventsQuery = z.object({
  // Sequence numbers are 32-bit in the PostgreSQL engine.
  after: z.coerce.number().int().nonnegative().max(2_147_483_647).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const ApiError = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ApiError = z.infer<typeof ApiError>;
