import { z } from "zod";
import { Counters, JobError, LogLevel } from "./job.ts";

const Amount = z.number().finite().nonnegative();
const Unit = z.string().max(32);
const Text = z.string().max(4096);

/**
 * What a job's worker reports: yielded by an in-process handler, or POSTed by an
 * outside worker to `/v1/jobs/:id/events`. Progress values are absolute, so the newest wins.
 */
export const ProgressReport = z.object({
  kind: z.literal("progress"),
  current: Amount,
  total: Amount.nullable().optional(),
  unit: Unit.optional(),
  message: Text.optional(),
  counters: Counters.optional(),
});
export const ScopeReport = z.object({
  kind: z.literal("scope"),
  scope: z.string().min(1).max(128),
  current: Amount,
  total: Amount.nullable().optional(),
  unit: Unit.optional(),
});
export const PhaseReport = z.object({ kind: z.literal("phase"), phase: z.string().min(1).max(128), message: Text.optional() });
export const LogReport = z.object({ kind: z.literal("log"), level: LogLevel.default("info"), message: Text });
export const OutputReport = z.object({ kind: z.literal("output"), chunk: z.string().max(65_536) });
export const ThrottleReport = z.object({ kind: z.literal("throttle"), reason: z.string().max(256).nullable() });
export const CompleteReport = z.object({ kind: z.literal("complete"), result: z.unknown().optional() });
export const FailReport = z.object({ kind: z.literal("fail"), error: JobError });

const ONGOING_REPORTS = [ProgressReport, ScopeReport, PhaseReport, LogReport, OutputReport, ThrottleReport] as const;

/** Reports a handler may yield (it ends by returning a result or throwing). */
export const HandlerReport = z.discriminatedUnion("kind", [...ONGOING_REPORTS]);
export type HandlerReport = z.input<typeof HandlerReport>;

/** Reports an outside worker may send; it ends the job with `complete` or `fail`. */
export const WorkerReport = z.discriminatedUnion("kind", [...ONGOING_REPORTS, CompleteReport, FailReport]);
export type WorkerReport = z.output<typeof WorkerReport>;

/** Body of `POST /v1/jobs/:id/events`: one report or up to 100 in order. */
export const WorkerReportBody = z.union([WorkerReport, z.array(WorkerReport).min(1).max(100)]);
