import type { z } from "zod";
import type { HandlerReport, Job, LogLevel, Phase } from "../protocol/index.ts";
import type { Capabilities } from "./state.ts";

/** What a handler sees while it runs. */
export interface JobContext<Input> {
  readonly job: Job;
  readonly input: Input;
  readonly attempt: number;
  /** Aborted when the job is cancelled or rolled back; pass it to fetch, database drivers and timers. */
  readonly signal: AbortSignal;
  /** Waits while the job is paused; throws if it was cancelled. The runner also calls it at every `yield`. */
  checkpoint(): Promise<void>;
  /** Sleeps, waking early on cancel and not counting time spent paused. */
  sleep(ms: number): Promise<void>;
  progress(current: number, total?: number | null, extra?: { unit?: string; message?: string; counters?: Record<string, number> }): HandlerReport;
  phase(name: string, message?: string): HandlerReport;
  log(message: string, level?: LogLevel): HandlerReport;
  output(chunk: string): HandlerReport;
  /** Sub-progress of a named part of the job, such as one table. */
  scope(name: string, total: number | null, unit?: string): { progress(current: number): HandlerReport };
  /** Says why the job is slowing down on purpose, or clears it with null. */
  throttle(reason: string | null): HandlerReport;
}

export type JobHandler<Input> = (context: JobContext<Input>) => AsyncGenerator<HandlerReport, unknown, void>;

export interface PhaseInput {
  name: string;
  label?: string;
  weight?: number;
  irreversible?: boolean;
}

export interface JobTypeOptions<Schema extends z.ZodType> {
  type: string;
  /** Validates `input` at submission; the handler gets the parsed value. */
  input: Schema;
  phases?: PhaseInput[];
  /** Runs the job: yield reports, return the result, throw to fail. */
  run: JobHandler<z.output<Schema>>;
  /** Undoes the reversible phases after a rollback control; the job ends `rolled_back`. */
  rollback?: JobHandler<z.output<Schema>>;
  /** Whether the job may be paused (default true). */
  pausable?: boolean;
  /** Whether a failed, cancelled or rolled-back job may be retried (default true). */
  retryable?: boolean;
  /** Whether a job whose hub instance died is run again rather than failed (default false). */
  restartable?: boolean;
}

export interface JobType<Input = unknown> {
  readonly type: string;
  readonly input: z.ZodType<Input>;
  readonly phases: Phase[];
  // Method syntax keeps job types of different inputs assignable to one `JobType[]`.
  run(context: JobContext<Input>): AsyncGenerator<HandlerReport, unknown, void>;
  rollback?(context: JobContext<Input>): AsyncGenerator<HandlerReport, unknown, void>;
  readonly capabilities: Capabilities;
  readonly restartable: boolean;
}

/** Declares a job type for `createHub({ jobs: [...] })`. */
export function defineJob<Schema extends z.ZodType>(options: JobTypeOptions<Schema>): JobType<z.output<Schema>> {
  return {
    type: options.type,
    input: options.input as unknown as z.ZodType<z.output<Schema>>,
    phases: (options.phases ?? []).map((phase) => ({ ...phase, irreversible: phase.irreversible ?? false })),
    run: options.run,
    rollback: options.rollback,
    capabilities: {
      pause: options.pausable ?? true,
      rollback: options.rollback !== undefined,
      retry: options.retryable ?? true,
    },
    restartable: options.restartable ?? false,
  };
}
