import type { Job, JobEvent, TicketGrant } from "../protocol/index.ts";
import { isTerminal } from "../protocol/index.ts";
import type { Engine, JobChange, JobFilter, Mutator, ReplayFilter, ReplayResult } from "./engine.ts";
import { buildEvent, matchesFilter, newEpoch } from "./shared.ts";

export interface MemoryEngineOptions {
  /** Events kept per job; older progress samples are compacted away first. */
  historyPerJob?: number;
  /** Events kept hub-wide for resuming `jobs` and `jobs:<type>` subscriptions. */
  globalHistory?: number;
  /** Finished jobs kept at most. */
  maxFinishedJobs?: number;
  /** How long a finished job is kept. */
  finishedTtlMs?: number;
}

interface JobRecord {
  job: Job;
  history: JobEvent[];
  /** Offset of the newest event dropped from `history` that was not a superseded progress sample. */
  lostUpTo: number;
  owner: string | null;
}

/** Single-process engine: zero set-up, bounded, and a restart starts a new epoch. */
export class MemoryEngine implements Engine {
  readonly name = "memory";
  readonly epoch = newEpoch();
  readonly #jobs = new Map<string, JobRecord>();
  readonly #keys = new Map<string, string>();
  readonly #log: JobEvent[] = [];
  #logStart = 0;
  #logLostUpTo = 0;
  #offset = 0;
  readonly #listeners = new Set<(event: JobEvent) => void>();
  /** Stream tickets by hash, oldest first. */
  readonly #tickets = new Map<string, { grant: TicketGrant; expiresAt: number }>();
  readonly #options: Required<MemoryEngineOptions>;

  constructor(options: MemoryEngineOptions = {}) {
    this.#options = {
      historyPerJob: options.historyPerJob ?? 1_000,
      globalHistory: options.globalHistory ?? 20_000,
      maxFinishedJobs: options.maxFinishedJobs ?? 1_000,
      finishedTtlMs: options.finishedTtlMs ?? 3_600_000,
    };
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {
    this.#listeners.clear();
  }

  async headOffset(): Promise<number> {
    return this.#offset;
  }

  async create(job: Job): Promise<{ job: Job; created: boolean; event?: JobEvent }> {
    if (job.key !== null) {
      const existing = this.#keys.get(job.key);
      const record = existing === undefined ? undefined : this.#jobs.get(existing);
      if (record) return { job: record.job, created: false };
    }
    const record: JobRecord = { job, history: [], lostUpTo: 0, owner: null };
    this.#jobs.set(job.id, record);
    if (job.key !== null) this.#keys.set(job.key, job.id);
    const event = this.#commit(record, { job, event: { kind: "created" } });
    return { job: event.job, created: true, event };
  }

  async get(id: string): Promise<Job | undefined> {
    return this.#jobs.get(id)?.job;
  }

  async list(filter: JobFilter): Promise<{ jobs: Job[]; nextCursor: string | null }> {
    // Newest first; the cursor is the id of the last job of the previous page.
    const all = [...this.#jobs.values()].reverse();
    let start = 0;
    if (filter.cursor) {
      const index = all.findIndex((record) => record.job.id === filter.cursor);
      start = index < 0 ? all.length : index + 1;
    }
    const jobs: Job[] = [];
    let index = start;
    for (; index < all.length && jobs.length < filter.limit; index++) {
      const job = all[index]!.job;
      if (matchesFilter(job, filter)) jobs.push(job);
    }
    const more = all.slice(index).some((record) => matchesFilter(record.job, filter));
    return { jobs, nextCursor: more && jobs.length > 0 ? jobs[jobs.length - 1]!.id : null };
  }

  async mutate(id: string, mutator: Mutator): Promise<JobEvent | undefined> {
    const record = this.#jobs.get(id);
    if (!record) return undefined;
    const change = mutator(record.job);
    if (!change) return undefined;
    return this.#commit(record, change);
  }

  async history(id: string, afterSeq: number, limit: number): Promise<JobEvent[]> {
    const history = this.#jobs.get(id)?.history ?? [];
    return history.filter((event) => event.seq > afterSeq).slice(0, limit);
  }

  async replay(afterOffset: number, filter: ReplayFilter, limit: number): Promise<ReplayResult> {
    if (filter.jobId !== undefined) {
      const record = this.#jobs.get(filter.jobId);
      if (!record || record.lostUpTo > afterOffset) return { events: [], complete: false };
      const events = record.history.filter((event) => event.offset > afterOffset);
      return events.length > limit ? { events: [], complete: false } : { events, complete: true };
    }
    if (this.#logLostUpTo > afterOffset) return { events: [], complete: false };
    const events: JobEvent[] = [];
    for (let index = this.#firstLogIndexAfter(afterOffset); index < this.#log.length; index++) {
      const event = this.#log[index]!;
      if (filter.type !== undefined && event.job.type !== filter.type) continue;
      if (events.length === limit) return { events: [], complete: false };
      events.push(event);
    }
    return { events, complete: true };
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async claim(owner: string, types: string[], limit: number, start: Mutator): Promise<JobEvent[]> {
    const started: JobEvent[] = [];
    for (const record of this.#jobs.values()) {
      if (started.length >= limit) break;
      const { job } = record;
      if (job.status !== "queued" || job.external || !types.includes(job.type)) continue;
      const change = start(job);
      if (!change) continue;
      record.owner = owner;
      started.push(this.#commit(record, change));
    }
    return started;
  }

  async claimRollbacks(owner: string, types: string[], limit: number, leaseUntil: Date): Promise<Job[]> {
    const taken: Job[] = [];
    for (const record of this.#jobs.values()) {
      if (taken.length >= limit) break;
      const { job } = record;
      if (job.status !== "rolling_back" || job.external || job.leaseExpiresAt !== null || !types.includes(job.type)) continue;
      record.owner = owner;
      record.job = { ...job, leaseExpiresAt: leaseUntil.toISOString() };
      taken.push(record.job);
    }
    return taken;
  }

  async renewLeases(owner: string, ids: string[], leaseUntil: Date): Promise<void> {
    for (const id of ids) {
      const record = this.#jobs.get(id);
      if (record && record.owner === owner && !isTerminal(record.job.status)) {
        record.job = { ...record.job, leaseExpiresAt: leaseUntil.toISOString() };
      }
    }
  }

  async expiredLeases(now: Date, limit: number): Promise<string[]> {
    const ids: string[] = [];
    for (const { job } of this.#jobs.values()) {
      if (ids.length >= limit) break;
      if (!isTerminal(job.status) && job.leaseExpiresAt !== null && Date.parse(job.leaseExpiresAt) < now.getTime()) {
        ids.push(job.id);
      }
    }
    return ids;
  }

  async stalledCandidates(before: Date, limit: number): Promise<string[]> {
    const ids: string[] = [];
    for (const { job } of this.#jobs.values()) {
      if (ids.length >= limit) break;
      if (job.status === "running" && !job.stalled && Date.parse(job.updatedAt) < before.getTime()) ids.push(job.id);
    }
    return ids;
  }

  async issueTicket(hash: string, grant: TicketGrant, expiresAt: number): Promise<void> {
    // The map holds tickets in the order they were issued and none outlives the ticket lifetime, so
    // dropping expired ones from the front leaves at most the tickets of the last lifetime, however
    // far apart sweeps are.
    const now = Date.now();
    for (const [oldest, ticket] of this.#tickets) {
      if (ticket.expiresAt > now) break;
      this.#tickets.delete(oldest);
    }
    this.#tickets.set(hash, { grant, expiresAt });
  }

  async redeemTicket(hash: string, now: number): Promise<TicketGrant | undefined> {
    const ticket = this.#tickets.get(hash);
    this.#tickets.delete(hash);
    return ticket && ticket.expiresAt > now ? ticket.grant : undefined;
  }

  async sweep(now: Date): Promise<number> {
    for (const [hash, ticket] of this.#tickets) if (ticket.expiresAt <= now.getTime()) this.#tickets.delete(hash);
    const finished = [...this.#jobs.values()].filter((record) => isTerminal(record.job.status));
    const expiredBefore = now.getTime() - this.#options.finishedTtlMs;
    const excess = finished.length - this.#options.maxFinishedJobs;
    let removed = 0;
    for (const [index, record] of finished.entries()) {
      const expired = Date.parse(record.job.finishedAt ?? record.job.updatedAt) < expiredBefore;
      if (index < excess || expired) {
        this.#jobs.delete(record.job.id);
        if (record.job.key !== null) this.#keys.delete(record.job.key);
        removed++;
      }
    }
    return removed;
  }

  async health() {
    return { ok: true, details: { jobs: this.#jobs.size, log_events: this.#log.length - this.#logStart } };
  }

  #commit(record: JobRecord, change: JobChange): JobEvent {
    const event = buildEvent(record.job.seq, ++this.#offset, change.job, change.event);
    record.job = event.job;
    this.#remember(record, event);
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  #remember(record: JobRecord, event: JobEvent): void {
    record.history.push(event);
    if (record.history.length > this.#options.historyPerJob) {
      // A progress sample is superseded by any later one, so it can go without losing meaning.
      const supersededProgress = record.history.findIndex((old) => old.kind === "progress");
      const dropAt = supersededProgress >= 0 && supersededProgress < record.history.length - 1 ? supersededProgress : 0;
      const [dropped] = record.history.splice(dropAt, 1);
      if (dropAt === 0 && dropped && dropped.kind !== "progress") record.lostUpTo = dropped.offset;
    }
    this.#log.push(event);
    if (this.#log.length - this.#logStart > this.#options.globalHistory) {
      this.#logLostUpTo = this.#log[this.#logStart]!.offset;
      this.#logStart++;
      // Compact the array now and then instead of shifting on every event.
      if (this.#logStart > this.#options.globalHistory) {
        this.#log.splice(0, this.#logStart);
        this.#logStart = 0;
      }
    }
  }

  #firstLogIndexAfter(offset: number): number {
    let low = this.#logStart;
    let high = this.#log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#log[middle]!.offset <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
