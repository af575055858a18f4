import type { Control, Job, JobEvent, Labels, WorkerReport } from "../protocol/index.ts";
import { isTerminal, JOB_ID_PATTERN, newJob } from "../protocol/index.ts";
import type { Engine, JobChange, JobFilter } from "../engines/engine.ts";
import { Problem } from "../http/problem.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../hub/metrics.ts";
import type { JobType } from "./define.ts";
import { etaSeconds, percentOf, RateEstimator } from "./rate.ts";
import {
  allowedControls,
  type Capabilities,
  ConflictError,
  controlTarget,
  EXTERNAL_CAPABILITIES,
  failure,
  freshAttempt,
  statusChange,
} from "./state.ts";

export interface JobServiceOptions {
  engine: Engine;
  types: readonly JobType<unknown>[];
  logger: Logger;
  metrics: Metrics;
  /** Progress events committed per job per second at most; the newest sample wins. */
  progressPerSecond: number;
  /** A running job with no event for this long is flagged stalled. */
  stallAfterMs: number;
  defaultLeaseSeconds: number;
  /** Characters of streamed output kept on the job. */
  maxOutputChars: number;
  superviseEveryMs: number;
}

export interface SubmitRequest {
  type: string;
  input?: unknown;
  key?: string;
  labels?: Labels;
  external?: boolean;
  leaseSeconds?: number;
}

type Report = WorkerReport;
type ProgressReport = Extract<Report, { kind: "progress" }>;
type ScopeReport = Extract<Report, { kind: "scope" }>;

/** Progress samples waiting for the job's next rate-limit slot. */
interface PendingProgress {
  progress?: ProgressReport;
  scopes: Map<string, ScopeReport>;
  timer?: ReturnType<typeof setTimeout>;
  lastCommitAt: number;
}

/**
 * Everything that changes jobs goes through here: submission, controls, reports from handlers and
 * outside workers, and the supervisor that ends lost jobs and flags stalled ones.
 */
export class JobService {
  readonly #engine: Engine;
  readonly #types: Map<string, JobType<unknown>>;
  readonly #options: JobServiceOptions;
  /** Serialises changes per job so that events keep the order in which they were reported. */
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #pending = new Map<string, PendingProgress>();
  readonly #rates = new Map<string, RateEstimator>();
  /** The latest state of every unfinished job, kept from the engine's events so reports need no read. */
  readonly #live = new Map<string, Job>();
  #unsubscribe?: () => void;
  #supervisor?: ReturnType<typeof setInterval>;
  #lastSweep = 0;

  constructor(options: JobServiceOptions) {
    this.#options = options;
    this.#engine = options.engine;
    this.#types = new Map(options.types.map((type) => [type.type, type]));
  }

  get types(): ReadonlyMap<string, JobType<unknown>> {
    return this.#types;
  }

  capabilities(job: Pick<Job, "type" | "external">): Capabilities {
    if (job.external) return EXTERNAL_CAPABILITIES;
    return this.#types.get(job.type)?.capabilities ?? EXTERNAL_CAPABILITIES;
  }

  async submit(request: SubmitRequest): Promise<{ job: Job; created: boolean }> {
    const type = this.#types.get(request.type);
    let input: unknown = request.input ?? null;
    if (!request.external) {
      if (!type) {
        throw new Problem("unknown_job_type", `unknown job type '${request.type}'`, { known: [...this.#types.keys()] });
      }
      const parsed = type.input.safeParse(request.input ?? {});
      if (!parsed.success) throw Problem.fromZod("invalid_input", `invalid input for '${request.type}'`, parsed.error);
      input = parsed.data;
    }
    const now = new Date();
    const external = request.external ?? false;
    const leaseSeconds = external ? request.leaseSeconds ?? this.#options.defaultLeaseSeconds : null;
    const job = newJob({
      id: crypto.randomUUID(),
      type: request.type,
      phases: external ? [] : type!.phases,
      input,
      labels: request.labels ?? {},
      key: request.key ?? null,
      external,
      leaseSeconds,
      leaseExpiresAt: leaseSeconds === null ? null : new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    job.controls = allowedControls(job, this.capabilities(job));
    const { job: stored, created } = await this.#engine.create(job);
    if (created) this.#options.logger.info("job submitted", { jobId: stored.id, type: stored.type, external });
    return { job: stored, created };
  }

  async get(id: string): Promise<Job> {
    const job = JOB_ID_PATTERN.test(id) ? await this.#engine.get(id) : undefined;
    if (!job) throw new Problem("not_found", `no job '${id}'`);
    return job;
  }

  list(filter: JobFilter) {
    return this.#engine.list(filter);
  }

  async control(id: string, control: Control): Promise<Job> {
    return await this.#serial(id, async () => {
      if (control === "cancel" || control === "rollback") await this.#flushProgress(id);
      const event = await this.#mutate(id, (job) => {
        const caps = this.capabilities(job);
        const target = controlTarget(job, control, caps);
        const patch: Partial<Job> = control === "retry" ? freshAttempt(job) : {};
        if (control === "retry" && job.external) patch.leaseExpiresAt = null;
        return statusChange(job, target, caps, patch);
      });
      this.#options.logger.info("job control", { jobId: id, control, status: event.job.status });
      if (isTerminal(event.job.status)) this.#forget(id);
      return event.job;
    });
  }

  /**
   * Takes one report from a handler or an outside worker. Progress is rate-limited per job (the
   * newest sample wins); every other report is committed in order, after any pending progress.
   */
  async report(id: string, report: Report): Promise<Job | undefined> {
    this.#options.metrics.eventsIn.inc();
    if (report.kind === "progress" || report.kind === "scope") {
      const current = await this.#current(id);
      if (isTerminal(current.status)) throw this.#finished(current);
      if (current.status === "queued") await this.#serial(id, () => this.#start(id));
      this.#queueProgress(id, report);
      return current;
    }
    return await this.#serial(id, async () => {
      await this.#flushProgress(id);
      const job = await this.get(id);
      if (isTerminal(job.status)) throw this.#finished(job);
      if (job.status === "queued") await this.#start(id);
      const event = await this.#mutate(id, (job) => this.#apply(job, report));
      if (isTerminal(event.job.status)) this.#forget(id);
      return event.job;
    });
  }

  /** Reports from an outside worker over HTTP, in order; only external jobs take them. */
  async reportFromWorker(id: string, reports: readonly Report[]): Promise<Job> {
    let latest = await this.#current(id);
    if (!latest.external) throw new Problem("not_external", "only jobs created with external: true take reports over HTTP");
    for (const report of reports) latest = (await this.report(id, report)) ?? latest;
    return latest;
  }

  /** The job as last seen, from memory when it is unfinished, else from the engine. */
  async #current(id: string): Promise<Job> {
    const job = this.#live.get(id) ?? (JOB_ID_PATTERN.test(id) ? await this.#engine.get(id) : undefined);
    if (!job) throw new Problem("not_found", `no job '${id}'`);
    return job;
  }

  /** Ends a job whose handler stopped: cancelled if it was being cancelled, or the given outcome. */
  async finish(id: string, outcome: "completed" | "failed" | "cancelled" | "rolled_back", patch: Partial<Job>): Promise<Job | undefined> {
    return await this.#serial(id, async () => {
      await this.#flushProgress(id);
      const event = await this.#engine.mutate(id, (job) => {
        if (isTerminal(job.status)) return undefined;
        const status = job.status === "cancelling" && outcome === "completed" ? "cancelled" : outcome;
        const finalPatch = status === "completed" ? { ...completedProgress(job), ...patch } : patch;
        return statusChange(job, status, this.capabilities(job), finalPatch);
      });
      this.#forget(id);
      return event?.job;
    });
  }

  async #start(id: string): Promise<void> {
    await this.#engine.mutate(id, (job) => {
      if (job.status !== "queued") return undefined;
      return statusChange(job, "running", this.capabilities(job), { leaseExpiresAt: leaseFrom(job) });
    });
  }

  #apply(job: Job, report: Exclude<Report, ProgressReport | ScopeReport>): JobChange {
    const lease = { leaseExpiresAt: leaseFrom(job) };
    switch (report.kind) {
      case "phase":
        return {
          job: { ...job, ...lease, phase: report.phase, message: report.message ?? job.message, controls: allowedControls({ ...job, phase: report.phase }, this.capabilities(job)) },
          event: { kind: "phase", phase: report.phase, from: job.phase },
        };
      case "log":
        return { job: { ...job, ...lease }, event: { kind: "log", level: report.level, message: report.message } };
      case "output": {
        const kept = (job.output ?? "") + report.chunk;
        return {
          job: { ...job, ...lease, output: kept.length > this.#options.maxOutputChars ? kept.slice(0, this.#options.maxOutputChars) : kept },
          event: { kind: "output", chunk: report.chunk },
        };
      }
      case "throttle":
        return { job: { ...job, ...lease, throttle: report.reason }, event: { kind: "throttle", reason: report.reason } };
      case "complete":
        return statusChange(job, job.status === "cancelling" ? "cancelled" : "completed", this.capabilities(job), {
          ...completedProgress(job),
          result: report.result ?? null,
        });
      case "fail":
        return statusChange(job, "failed", this.capabilities(job), { error: report.error });
    }
  }

  #queueProgress(id: string, report: ProgressReport | ScopeReport): void {
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = { scopes: new Map(), lastCommitAt: 0 };
      this.#pending.set(id, pending);
    }
    if (report.kind === "progress") {
      if (pending.progress) this.#options.metrics.coalesced.inc({ where: "ingest" });
      pending.progress = mergeProgress(pending.progress, report);
    } else {
      if (pending.scopes.has(report.scope)) this.#options.metrics.coalesced.inc({ where: "ingest" });
      pending.scopes.set(report.scope, report);
    }
    if (pending.timer) return;
    const interval = 1000 / this.#options.progressPerSecond;
    const wait = Math.max(0, pending.lastCommitAt + interval - Date.now());
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      this.#serial(id, () => this.#flushProgress(id)).catch((error) =>
        this.#options.logger.warn("progress not committed", { jobId: id, error: String(error) })
      );
    }, wait);
  }

  /** Commits the pending progress of a job, if any, as one progress event. */
  async #flushProgress(id: string): Promise<void> {
    const pending = this.#pending.get(id);
    if (!pending || (!pending.progress && pending.scopes.size === 0)) return;
    const { progress, scopes } = pending;
    pending.progress = undefined;
    pending.scopes = new Map();
    pending.lastCommitAt = Date.now();
    if (pending.timer) {
      clearTimeout(pending.timer);
      pending.timer = undefined;
    }
    let rate: number | null = null;
    if (progress) {
      const estimator = this.#rates.get(id) ?? new RateEstimator();
      this.#rates.set(id, estimator);
      estimator.add(progress.current);
      rate = estimator.rate();
    }
    if (progress && (this.#live.get(id) ?? (await this.#engine.get(id)))?.stalled) {
      await this.#engine.mutate(id, (job) => job.stalled ? { job: { ...job, stalled: false }, event: { kind: "stalled", stalled: false } } : undefined);
    }
    await this.#engine.mutate(id, (job) => {
      if (isTerminal(job.status)) return undefined;
      const next: Job = { ...job, leaseExpiresAt: leaseFrom(job), stalled: false };
      if (progress) {
        const total = progress.total === undefined ? job.progress.total : progress.total;
        next.progress = {
          current: progress.current,
          total,
          unit: progress.unit ?? job.progress.unit,
          percent: percentOf(progress.current, total),
          rate: rate === null ? null : Math.round(rate * 100) / 100,
          etaSeconds: etaSeconds(progress.current, total, rate),
        };
        if (progress.message !== undefined) next.message = progress.message;
        if (progress.counters) next.counters = { ...job.counters, ...progress.counters };
      }
      if (scopes.size > 0) {
        const merged = new Map(job.scopes.map((scope) => [scope.name, scope]));
        for (const report of scopes.values()) {
          const previous = merged.get(report.scope);
          const total = report.total === undefined ? previous?.total ?? null : report.total;
          merged.set(report.scope, {
            name: report.scope,
            current: report.current,
            total,
            unit: report.unit ?? previous?.unit ?? null,
            percent: percentOf(report.current, total),
          });
        }
        next.scopes = [...merged.values()].slice(-MAX_SCOPES);
      }
      return { job: next, event: { kind: "progress" } };
    }, { coalesce: true });
  }

  /** Follows the engine's events and starts the supervisor: lost workers, stalled jobs, and retention. */
  start(): void {
    this.#unsubscribe = this.#engine.onEvent(({ job }) => {
      if (isTerminal(job.status)) this.#live.delete(job.id);
      else this.#live.set(job.id, job);
    });
    this.#supervisor = setInterval(() => {
      this.supervise().catch((error) => this.#options.logger.error("supervisor failed", { error: String(error) }));
    }, this.#options.superviseEveryMs);
  }

  async supervise(now = new Date()): Promise<void> {
    for (const id of await this.#engine.expiredLeases(now, 100)) {
      await this.#serial(id, () =>
        this.#engine.mutate(id, (job) => {
          if (isTerminal(job.status) || job.leaseExpiresAt === null || Date.parse(job.leaseExpiresAt) >= now.getTime()) return undefined;
          const caps = this.capabilities(job);
          // A job being stopped ends as it would have: no point starting it over.
          if (job.status === "cancelling") return statusChange(job, "cancelled", caps);
          if (job.status === "rolling_back") {
            return statusChange(job, "failed", caps, { error: failure("worker_lost", "the hub instance rolling the job back stopped") });
          }
          if (!job.external && this.#types.get(job.type)?.restartable) {
            return statusChange(job, "queued", caps, { ...freshAttempt(job), leaseExpiresAt: null });
          }
          return statusChange(job, "failed", caps, {
            error: failure("worker_lost", job.external ? `no report from the worker for ${job.leaseSeconds} s` : "the hub instance running the job stopped"),
          });
        })
      );
      this.#forget(id);
      this.#options.logger.warn("worker lost", { jobId: id });
    }
    const stalledBefore = new Date(now.getTime() - this.#options.stallAfterMs);
    for (const id of await this.#engine.stalledCandidates(stalledBefore, 100)) {
      await this.#serial(id, () =>
        this.#engine.mutate(id, (job) => {
          if (job.status !== "running" || job.stalled || Date.parse(job.updatedAt) >= stalledBefore.getTime()) return undefined;
          return { job: { ...job, stalled: true }, event: { kind: "stalled", stalled: true } };
        })
      );
    }
    if (now.getTime() - this.#lastSweep >= 60_000) {
      this.#lastSweep = now.getTime();
      const removed = await this.#engine.sweep(now);
      if (removed > 0) this.#options.logger.debug("finished jobs removed", { removed });
    }
  }

  async stop(): Promise<void> {
    if (this.#supervisor) clearInterval(this.#supervisor);
    this.#unsubscribe?.();
    for (const id of [...this.#pending.keys()]) await this.#serial(id, () => this.#flushProgress(id));
    await Promise.allSettled([...this.#chains.values()]);
  }

  async #mutate(id: string, mutator: (job: Job) => JobChange): Promise<JobEvent> {
    const event = await this.#engine.mutate(id, mutator);
    if (!event) throw new Problem("not_found", `no job '${id}'`);
    return event;
  }

  #finished(job: Job): Problem {
    return new Problem("job_finished", `job is ${job.status.replace("_", " ")}`, { status: job.status });
  }

  #forget(id: string): void {
    const pending = this.#pending.get(id);
    if (pending?.timer) clearTimeout(pending.timer);
    this.#pending.delete(id);
    this.#rates.delete(id);
  }

  #serial<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(id) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(() => undefined, () => undefined);
    this.#chains.set(id, settled);
    settled.then(() => {
      if (this.#chains.get(id) === settled) this.#chains.delete(id);
    });
    return next.catch((error) => {
      throw error instanceof ConflictError ? new Problem(error.code, error.message, { status: error.status }) : error;
    });
  }
}

const MAX_SCOPES = 200;

function mergeProgress(previous: ProgressReport | undefined, next: ProgressReport): ProgressReport {
  if (!previous) return next;
  return {
    ...previous,
    ...next,
    counters: previous.counters || next.counters ? { ...previous.counters, ...next.counters } : undefined,
    message: next.message ?? previous.message,
  };
}

function leaseFrom(job: Job): string | null {
  if (!job.external || job.leaseSeconds === null) return job.leaseExpiresAt;
  return new Date(Date.now() + job.leaseSeconds * 1000).toISOString();
}

function completedProgress(job: Job): Partial<Job> {
  const total = job.progress.total;
  if (total === null) return { progress: { ...job.progress, rate: null, etaSeconds: null }, throttle: null };
  return { progress: { ...job.progress, current: total, percent: 100, rate: null, etaSeconds: 0 }, throttle: null };
}
