import type { Job, JobEvent } from "../protocol/index.ts";
import { HandlerReport, isTerminal } from "../protocol/index.ts";
import type { Engine } from "../engines/engine.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../hub/metrics.ts";
import type { JobContext, JobHandler, JobType } from "./define.ts";
import { PauseGate } from "./pause-gate.ts";
import type { JobService } from "./service.ts";
import { failure, statusChange } from "./state.ts";

export interface RunnerOptions {
  engine: Engine;
  service: JobService;
  logger: Logger;
  metrics: Metrics;
  /** Identifies this hub instance as the owner of the jobs it claims. */
  owner: string;
  /** Jobs run at once by this instance. */
  concurrency: number;
  /** How long a claimed job stays this instance's without a heartbeat. */
  leaseMs: number;
}

type StopReason = "cancel" | "rollback" | "shutdown";

interface Running {
  job: Job;
  controller: AbortController;
  gate: PauseGate;
  done: Promise<void>;
}

/** Claims queued in-process jobs, runs their handlers, and applies controls to the ones it runs. */
export class Runner {
  readonly #options: RunnerOptions;
  readonly #running = new Map<string, Running>();
  readonly #types: ReadonlyMap<string, JobType<unknown>>;
  readonly #rollbackTypes: string[];
  #unsubscribe?: () => void;
  #heartbeat?: ReturnType<typeof setInterval>;
  #claiming = false;
  #claimAgain = false;
  #stopped = false;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#types = options.service.types;
    this.#rollbackTypes = [...this.#types.values()].filter((type) => type.rollback).map((type) => type.type);
  }

  start(): void {
    this.#unsubscribe = this.#options.engine.onEvent((event) => this.#onEvent(event));
    // The heartbeat renews leases and also picks up work whose notification was missed.
    this.#heartbeat = setInterval(() => {
      this.#renew().catch((error) => this.#options.logger.warn("lease renewal failed", { error: String(error) }));
      this.#claim();
    }, Math.max(250, Math.floor(this.#options.leaseMs / 3)));
    this.#claim();
  }

  /** Stops taking work and winds down the jobs running here; they are left for another instance or a restart. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    for (const running of this.#running.values()) running.controller.abort("shutdown" satisfies StopReason);
    await Promise.allSettled([...this.#running.values()].map((running) => running.done));
  }

  #onEvent(event: JobEvent): void {
    if (event.kind === "created" || (event.kind === "status" && event.status === "queued")) {
      this.#claim();
      return;
    }
    const running = this.#running.get(event.jobId);
    if (running) running.job = event.job;
    if (event.kind !== "status") return;
    if (running) {
      if (event.status === "paused") running.gate.pause();
      else if (event.status === "running") running.gate.resume();
      else if (event.status === "cancelling") running.controller.abort("cancel" satisfies StopReason);
      else if (event.status === "rolling_back") running.controller.abort("rollback" satisfies StopReason);
      return;
    }
    // A rollback of a job that has stopped is claimed, so that one instance of all that see this runs it.
    if (event.status === "rolling_back" && isTerminal(event.from)) this.#claim();
  }

  #claim(): void {
    if (this.#stopped) return;
    if (this.#claiming) {
      this.#claimAgain = true;
      return;
    }
    this.#claiming = true;
    this.#claimNow()
      .catch((error) => this.#options.logger.error("claim failed", { error: String(error) }))
      .finally(() => {
        this.#claiming = false;
        if (this.#claimAgain) {
          this.#claimAgain = false;
          this.#claim();
        }
      });
  }

  async #claimNow(): Promise<void> {
    const { engine, owner, concurrency, leaseMs, service } = this.#options;
    const free = () => concurrency - this.#running.size;
    if (free() <= 0 || this.#types.size === 0) return;
    const leaseUntil = new Date(Date.now() + leaseMs);
    const started = await engine.claim(owner, [...this.#types.keys()], free(), (job) =>
      statusChange(job, "running", service.capabilities(job), { leaseExpiresAt: leaseUntil.toISOString() })
    );
    for (const event of started) this.#launch(event.job, "run");
    if (free() <= 0 || this.#rollbackTypes.length === 0) return;
    for (const job of await engine.claimRollbacks(owner, this.#rollbackTypes, free(), leaseUntil)) this.#launch(job, "rollback");
  }

  async #renew(): Promise<void> {
    if (this.#running.size === 0) return;
    await this.#options.engine.renewLeases(this.#options.owner, [...this.#running.keys()], new Date(Date.now() + this.#options.leaseMs));
  }

  #launch(job: Job, mode: "run" | "rollback"): void {
    const type = this.#types.get(job.type);
    if (!type || this.#running.has(job.id)) return;
    const controller = new AbortController();
    const gate = new PauseGate(job.status === "paused");
    const running: Running = { job, controller, gate, done: Promise.resolve() };
    this.#running.set(job.id, running);
    this.#options.metrics.jobsActive.set(this.#running.size);
    running.done = this.#execute(type, running, mode)
      .catch((error) => this.#options.logger.error("runner failed", { jobId: job.id, error: String(error) }))
      .finally(() => {
        this.#running.delete(job.id);
        this.#options.metrics.jobsActive.set(this.#running.size);
        this.#claim();
      });
  }

  async #execute(type: JobType<unknown>, running: Running, mode: "run" | "rollback"): Promise<void> {
    const { service } = this.#options;
    const id = running.job.id;
    if (mode === "run") {
      try {
        const result = await this.#drive(type.run, running);
        await service.finish(id, "completed", { result: result ?? null });
        return;
      } catch (error) {
        const reason = running.controller.signal.aborted ? running.controller.signal.reason as StopReason : undefined;
        if (reason === "shutdown") return;
        if (reason === "cancel") {
          await service.finish(id, "cancelled", {});
          return;
        }
        if (reason !== "rollback") {
          const code = errorCode(error);
          this.#options.logger.warn("job failed", { jobId: id, code });
          await service.finish(id, "failed", { error: failure(code, errorMessage(error)) });
          return;
        }
      }
    }
    // Rollback: a fresh signal and gate, since the forward run's were spent stopping it.
    if (!type.rollback) return;
    const rollback: Running = { ...running, controller: new AbortController(), gate: new PauseGate(false) };
    this.#running.set(id, rollback);
    try {
      await this.#drive(type.rollback, rollback);
      await service.finish(id, "rolled_back", { phase: null });
    } catch (error) {
      if (rollback.controller.signal.aborted) return;
      await service.finish(id, "failed", { error: failure("rollback_failed", errorMessage(error)) });
    }
  }

  /** Runs a handler to its return value, forwarding every report and pausing between them. */
  async #drive(handler: JobHandler<unknown>, running: Running): Promise<unknown> {
    const context = this.#context(running);
    const iterator = handler(context);
    try {
      for (;;) {
        await context.checkpoint();
        const step = await iterator.next();
        if (step.done) return step.value;
        // Validated so that a handler's malformed report fails its job with a clear error.
        await this.#options.service.report(running.job.id, HandlerReport.parse(step.value));
      }
    } finally {
      // Let the handler's own finally blocks run when it is stopped from outside.
      if (running.controller.signal.aborted) await iterator.return(undefined).catch(() => undefined);
    }
  }

  #context(running: Running): JobContext<unknown> {
    const { signal } = running.controller;
    const checkpoint = async () => {
      signal.throwIfAborted();
      await running.gate.wait(signal);
    };
    return {
      job: running.job,
      input: running.job.input,
      attempt: running.job.attempt,
      signal,
      checkpoint,
      async sleep(ms: number) {
        await checkpoint();
        await abortableDelay(ms, signal);
        await checkpoint();
      },
      progress: (current, total, extra = {}): HandlerReport => ({ kind: "progress", current, ...(total === undefined ? {} : { total }), ...extra }),
      phase: (phase, message) => ({ kind: "phase", phase, ...(message === undefined ? {} : { message }) }),
      log: (message, level = "info") => ({ kind: "log", level, message }),
      output: (chunk) => ({ kind: "output", chunk }),
      scope: (scope, total, unit) => ({ progress: (current) => ({ kind: "scope", scope, current, total, ...(unit ? { unit } : {}) }) }),
      throttle: (reason) => ({ kind: "throttle", reason }),
    };
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : "handler_error";
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 4096);
}
