import { z } from "zod";
import { CONTROLS, JOB_STATUSES } from "./states.ts";

export { CONTROLS, isTerminal, JOB_STATUSES, TERMINAL_STATUSES } from "./states.ts";

/** Every state a job can be in; the last four are terminal. */
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatus>;

export const Control = z.enum(CONTROLS);
export type Control = z.infer<typeof Control>;

const Name = z.string().min(1).max(128);
const Label = z.string().max(256);

export const Phase = z.object({
  name: Name,
  label: Label.optional(),
  /** Relative share of the whole job; phases without a weight count as 1. */
  weight: z.number().positive().max(1_000_000).optional(),
  /** Past this phase the job can no longer be rolled back. */
  irreversible: z.boolean().default(false),
});
export type Phase = z.infer<typeof Phase>;

export const Progress = z.object({
  current: z.number().nonnegative(),
  /** null when the amount of work is unknown (indeterminate progress). */
  total: z.number().nonnegative().nullable(),
  unit: z.string().max(32).nullable(),
  /** 0–100, null when indeterminate. */
  percent: z.number().min(0).max(100).nullable(),
  /** Units per second over a moving window. */
  rate: z.number().nonnegative().nullable(),
  etaSeconds: z.number().nonnegative().nullable(),
});
export type Progress = z.infer<typeof Progress>;

/** Sub-progress of one part of a job, for example one table of a migration. */
export const Scope = z.object({
  name: Name,
  current: z.number().nonnegative(),
  total: z.number().nonnegative().nullable(),
  unit: z.string().max(32).nullable(),
  percent: z.number().min(0).max(100).nullable(),
});
export type Scope = z.infer<typeof Scope>;

export const JobError = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(4096),
  details: z.unknown().optional(),
});
export type JobError = z.infer<typeof JobError>;

export const Labels = z.record(z.string().min(1).max(64), z.string().max(256));
export type Labels = z.infer<typeof Labels>;

export const Counters = z.record(z.string().min(1).max(64), z.number());
export type Counters = z.infer<typeof Counters>;

const Timestamp = z.iso.datetime();

export const Job = z.object({
  id: z.string(),
  type: z.string(),
  status: JobStatus,
  phase: z.string().nullable(),
  phases: z.array(Phase),
  progress: Progress,
  scopes: z.array(Scope),
  message: z.string().nullable(),
  counters: Counters,
  /** Why the job is going slower on purpose (rate limit, back-pressure), or null. */
  throttle: z.string().nullable(),
  /** True while a running job has made no progress for longer than the stall timeout. */
  stalled: z.boolean(),
  /** Partial output streamed so far (bounded; see docs/protocol.md). */
  output: z.string().nullable(),
  result: z.unknown().nullable(),
  error: JobError.nullable(),
  input: z.unknown().nullable(),
  labels: Labels,
  key: z.string().nullable(),
  external: z.boolean(),
  leaseSeconds: z.number().nullable(),
  leaseExpiresAt: Timestamp.nullable(),
  attempt: z.number().int().positive(),
  /** The controls the job's current state allows. */
  controls: z.array(Control),
  /** Number of the job's last event. */
  seq: z.number().int().nonnegative(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  updatedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type Job = z.infer<typeof Job>;

export const LogLevel = z.enum(["debug", "info", "warn", "error"]);
export type LogLevel = z.infer<typeof LogLevel>;

/** What changed, by kind. Only `progress` may be coalesced; every other kind is always delivered in order. */
export const EventBody = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("created") }),
  z.object({ kind: z.literal("status"), status: JobStatus, from: JobStatus }),
  z.object({ kind: z.literal("phase"), phase: z.string().nullable(), from: z.string().nullable() }),
  z.object({ kind: z.literal("progress") }),
  z.object({ kind: z.literal("log"), level: LogLevel, message: z.string() }),
  z.object({ kind: z.literal("output"), chunk: z.string() }),
  z.object({ kind: z.literal("stalled"), stalled: z.boolean() }),
  z.object({ kind: z.literal("throttle"), reason: z.string().nullable() }),
]);
export type EventBody = z.infer<typeof EventBody>;
export type EventKind = EventBody["kind"];

export const JobEvent = z.intersection(
  z.object({
    jobId: z.string(),
    /** Strictly increasing per job. */
    seq: z.number().int().positive(),
    /** Hub-wide position of the event, increasing across all jobs; part of resume positions. */
    offset: z.number().int().positive(),
    ts: Timestamp,
    /** The job's state after the event. */
    job: Job,
  }),
  EventBody,
);
export type JobEvent = z.infer<typeof JobEvent>;
