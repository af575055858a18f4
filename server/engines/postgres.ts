import postgres from "postgres";
import type { Sql } from "postgres";
import type { Job, JobEvent, TicketGrant } from "../protocol/index.ts";
import type { Engine, JobFilter, Mutator, ReplayFilter, ReplayResult } from "./engine.ts";
import { EventFeed, type ListenHandlers } from "./postgres/event-feed.ts";
import { foldChanges, type QueuedChange } from "./postgres/fold.ts";
import { migrate } from "./postgres/migrations.ts";
import { type RetentionOptions, sweep } from "./postgres/retention.ts";
import { issueTicket, redeemTicket } from "./postgres/tickets.ts";
import { WriteQueue } from "./postgres/write-queue.ts";
import { appendEvents, inTransaction, json } from "./postgres/writes.ts";
import { buildEvent } from "./shared.ts";

export interface PostgresEngineOptions extends Partial<RetentionOptions> {
  /** A postgres:// URL. Never logged: it may hold a password. */
  url: string;
  /** Pooled connections; one more is used for LISTEN. */
  poolSize?: number;
  /** Statements running longer are cancelled by the server. */
  statementTimeoutMs?: number;
  /** How long progress samples gather before a batch is written. */
  progressFlushMs?: number;
  /** Progress samples held at most before new ones wait. */
  maxPendingProgress?: number;
  /** Jobs written per progress batch at most. */
  progressBatchJobs?: number;
  /** How often the head offset is read in case notifications are lost. */
  pollIntervalMs?: number;
  /** First wait before re-establishing a lost LISTEN connection; doubles while it fails. */
  listenRetryMs?: number;
  /** Called with errors of background work (listening, reading events); nothing is thrown there. */
  onError?: (error: unknown, context: string) => void;
}

const APPLICATION_NAME = "jobcast";

/**
 * Durable engine: jobs and their event log in PostgreSQL, shared by any number of hub instances.
 * Events reach every instance through LISTEN/NOTIFY; jobs are claimed with FOR UPDATE SKIP LOCKED.
 */
export class PostgresEngine implements Engine {
  readonly name = "postgres";
  readonly #options: Required<Omit<PostgresEngineOptions, "url" | "onError">>;
  readonly #url: string;
  readonly #onError: (error: unknown, context: string) => void;
  readonly #sql: Sql;
  readonly #feed: EventFeed;
  readonly #writes: WriteQueue;
  #epoch: string | undefined;

  constructor(options: PostgresEngineOptions) {
    this.#url = options.url;
    this.#onError = options.onError ?? (() => {});
    this.#options = {
      poolSize: options.poolSize ?? 10,
      statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
      progressFlushMs: options.progressFlushMs ?? 10,
      maxPendingProgress: options.maxPendingProgress ?? 10_000,
      progressBatchJobs: options.progressBatchJobs ?? 500,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      listenRetryMs: options.listenRetryMs ?? 100,
      finishedTtlMs: options.finishedTtlMs ?? 86_400_000,
      maxFinishedJobs: options.maxFinishedJobs ?? 100_000,
      historyPerJob: options.historyPerJob ?? 1_000,
      batchSize: options.batchSize ?? 500,
    };
    this.#sql = postgres(this.#url, {
      max: this.#options.poolSize,
      onnotice: () => {},
      connection: {
        application_name: APPLICATION_NAME,
        statement_timeout: this.#options.statementTimeoutMs,
        idle_in_transaction_session_timeout: this.#options.statementTimeoutMs,
      },
    });
    this.#feed = new EventFeed({
      sql: this.#sql,
      openListenConnection: (handlers) => this.#openListenConnection(handlers),
      pollIntervalMs: this.#options.pollIntervalMs,
      readBatch: 500,
      listenRetryMs: this.#options.listenRetryMs,
      onError: this.#onError,
    });
    this.#writes = new WriteQueue((work) => this.#commit(work), {
      flushDelayMs: this.#options.progressFlushMs,
      maxBatchJobs: this.#options.progressBatchJobs,
      maxPending: this.#options.maxPendingProgress,
    });
  }

  get epoch(): string {
    if (this.#epoch === undefined) throw new Error("PostgresEngine: call start() first");
    return this.#epoch;
  }

  async start(): Promise<void> {
    try {
      await migrate(this.#sql);
      const [meta] = await this.#sql<{ epoch: string }[]>`SELECT epoch FROM hub_meta`;
      this.#epoch = meta!.epoch;
      await this.#feed.start(await this.headOffset());
    } catch (error) {
      await this.#feed.stop();
      await this.#sql.end({ timeout: 1 });
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.#writes.drain();
    await this.#feed.stop();
    await this.#sql.end({ timeout: 5 });
  }

  async headOffset(): Promise<number> {
    const [row] = await this.#sql<{ head_offset: string }[]>`SELECT head_offset FROM event_head`;
    return Number(row!.head_offset);
  }

  async create(job: Job): Promise<{ job: Job; created: boolean; event?: JobEvent }> {
    const result = await inTransaction(this.#sql, async (tx) => {
      const event = buildEvent(job.seq, 0, job, { kind: "created" });
      for (;;) {
        const inserted = await tx`
          INSERT INTO jobs (id, job) VALUES (${job.id}, ${json(tx, event.job)})
          ON CONFLICT (key) DO NOTHING RETURNING id`;
        if (inserted.length > 0) break;
        const [existing] = await tx<{ job: Job }[]>`SELECT job FROM jobs WHERE key = ${job.key}`;
        // The holder of the key may have been removed meanwhile; then the insert is tried again.
        if (existing) return { job: existing.job, created: false };
      }
      await appendEvents(tx, [event], { storeJobs: false });
      return { job: event.job, created: true, event };
    });
    if (result.event) this.#feed.committed([result.event]);
    return result;
  }

  async get(id: string): Promise<Job | undefined> {
    const [row] = await this.#sql<{ job: Job }[]>`SELECT job FROM jobs WHERE id = ${id}`;
    return row?.job;
  }

  async list(filter: JobFilter): Promise<{ jobs: Job[]; nextCursor: string | null }> {
    // Newest first; the cursor is the position of the last job of the previous page.
    const sql = this.#sql;
    if (filter.cursor !== undefined && !/^\d{1,18}$/.test(filter.cursor)) return { jobs: [], nextCursor: null };
    const conditions = [sql`true`];
    if (filter.type !== undefined) conditions.push(sql`type = ${filter.type}`);
    if (filter.status !== undefined) conditions.push(sql`status = ${filter.status}`);
    if (filter.labels && Object.keys(filter.labels).length > 0) conditions.push(sql`labels @> ${json(sql, filter.labels)}`);
    if (filter.cursor !== undefined) conditions.push(sql`position < ${filter.cursor}`);
    const where = conditions.reduce((all, condition) => sql`${all} AND ${condition}`);
    const rows = await sql<{ position: string; job: Job }[]>`
      SELECT position, job FROM jobs WHERE ${where} ORDER BY position DESC LIMIT ${filter.limit + 1}`;
    const page = rows.slice(0, filter.limit);
    const more = rows.length > filter.limit && page.length > 0;
    return { jobs: page.map((row) => row.job), nextCursor: more ? page.at(-1)!.position : null };
  }

  mutate(id: string, mutator: Mutator, options?: { coalesce?: boolean }): Promise<JobEvent | undefined> {
    return options?.coalesce ? this.#writes.submitSample(id, mutator) : this.#writes.submit(id, mutator);
  }

  async history(id: string, afterSeq: number, limit: number): Promise<JobEvent[]> {
    const rows = await this.#sql<{ event: JobEvent }[]>`
      SELECT event FROM job_events WHERE job_id = ${id} AND seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
    return rows.map((row) => row.event);
  }

  async replay(afterOffset: number, filter: ReplayFilter, limit: number): Promise<ReplayResult> {
    const incomplete: ReplayResult = { events: [], complete: false };
    // One snapshot for both reads, so that a sweep in between cannot go unnoticed.
    return await this.#sql.begin("isolation level repeatable read read only", async (tx) => {
      let rows: { event: JobEvent }[];
      if (filter.jobId !== undefined) {
        const [job] = await tx<{ lost_up_to: string }[]>`SELECT lost_up_to FROM jobs WHERE id = ${filter.jobId}`;
        if (!job || Number(job.lost_up_to) > afterOffset) return incomplete;
        rows = await tx<{ event: JobEvent }[]>`
          SELECT event FROM job_events WHERE job_id = ${filter.jobId} AND event_offset > ${afterOffset}
          ORDER BY event_offset LIMIT ${limit + 1}`;
      } else {
        const [meta] = await tx<{ pruned_up_to: string }[]>`SELECT pruned_up_to FROM hub_meta`;
        if (Number(meta!.pruned_up_to) > afterOffset) return incomplete;
        const ofType = filter.type === undefined ? tx`` : tx`AND job_type = ${filter.type}`;
        rows = await tx<{ event: JobEvent }[]>`
          SELECT event FROM job_events WHERE event_offset > ${afterOffset} ${ofType}
          ORDER BY event_offset LIMIT ${limit + 1}`;
      }
      if (rows.length > limit) return incomplete;
      return { events: rows.map((row) => row.event), complete: true };
    }) as ReplayResult;
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    return this.#feed.add(listener);
  }

  async claim(owner: string, types: string[], limit: number, start: Mutator): Promise<JobEvent[]> {
    if (types.length === 0 || limit <= 0) return [];
    const events = await inTransaction(this.#sql, async (tx) => {
      const rows = await tx<{ job: Job }[]>`
        SELECT job FROM jobs WHERE status = 'queued' AND NOT external AND type = ANY(${types})
        ORDER BY position LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`;
      const started: JobEvent[] = [];
      for (const { job } of rows) {
        const change = start(job);
        if (change) started.push(buildEvent(job.seq, 0, change.job, change.event));
      }
      await appendEvents(tx, started, { owner });
      return started;
    });
    this.#feed.committed(events);
    return events;
  }

  async claimRollbacks(owner: string, types: string[], limit: number, leaseUntil: Date): Promise<Job[]> {
    if (types.length === 0 || limit <= 0) return [];
    const rows = await this.#sql<{ job: Job }[]>`
      WITH taken AS (
        SELECT id FROM jobs
        WHERE status = 'rolling_back' AND NOT external AND lease_expires_at IS NULL AND type = ANY(${types})
        ORDER BY position LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE jobs SET owner = ${owner}, job = jsonb_set(job, '{leaseExpiresAt}', to_jsonb(${leaseUntil.toISOString()}::text))
      FROM taken WHERE jobs.id = taken.id
      RETURNING jobs.job`;
    return rows.map((row) => row.job);
  }

  async renewLeases(owner: string, ids: string[], leaseUntil: Date): Promise<void> {
    if (ids.length === 0) return;
    // Rows are locked in id order, as batch writes lock them, so the two cannot deadlock.
    await this.#sql`
      WITH owned AS (
        SELECT id FROM jobs WHERE id = ANY(${ids}) AND owner = ${owner} AND NOT finished ORDER BY id FOR UPDATE
      )
      UPDATE jobs SET job = jsonb_set(job, '{leaseExpiresAt}', to_jsonb(${leaseUntil.toISOString()}::text))
      FROM owned WHERE jobs.id = owned.id`;
  }

  async expiredLeases(now: Date, limit: number): Promise<string[]> {
    const rows = await this.#sql<{ id: string }[]>`
      SELECT id FROM jobs WHERE NOT finished AND lease_expires_at < ${now} ORDER BY lease_expires_at LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }

  async stalledCandidates(before: Date, limit: number): Promise<string[]> {
    const rows = await this.#sql<{ id: string }[]>`
      SELECT id FROM jobs WHERE status = 'running' AND NOT stalled AND updated_at < ${before}
      ORDER BY updated_at LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }

  async issueTicket(hash: string, grant: TicketGrant, expiresAt: number): Promise<void> {
    await issueTicket(this.#sql, hash, grant, expiresAt);
  }

  async redeemTicket(hash: string, now: number): Promise<TicketGrant | undefined> {
    return await redeemTicket(this.#sql, hash, now);
  }

  async sweep(now: Date): Promise<number> {
    return await sweep(this.#sql, now, this.#options);
  }

  async health(): Promise<{ ok: boolean; details?: Record<string, number | string> }> {
    const figures = {
      pool_size: this.#options.poolSize,
      listening: this.#feed.listening ? 1 : 0,
      listen_reconnects: this.#feed.reconnects,
      pending_progress: this.#writes.pending,
      jobs_writing: this.#writes.activeJobs,
    };
    try {
      const head = await this.headOffset();
      return { ok: true, details: { ...figures, head_offset: head, listen_lag_events: Math.max(0, head - this.#feed.delivered) } };
    } catch (error) {
      return { ok: false, details: { ...figures, error: error instanceof Error ? error.message : String(error) } };
    }
  }

  /** Writes queued changes of several jobs in one transaction; every change is settled. */
  async #commit(work: Map<string, QueuedChange[]>): Promise<void> {
    try {
      const { events, folds } = await inTransaction(this.#sql, async (tx) => {
        const ids = [...work.keys()].sort();
        // Locked in id order, so batches and single writes cannot deadlock.
        const rows = await tx<{ id: string; job: Job }[]>`
          SELECT id, job FROM jobs WHERE id = ANY(${ids}) ORDER BY id FOR UPDATE`;
        const current = new Map(rows.map((row) => [row.id, row.job]));
        const folds = [...work].map(([id, changes]) => foldChanges(current.get(id), changes));
        const events = folds.flatMap((fold) => fold.events);
        await appendEvents(tx, events);
        return { events, folds };
      });
      this.#feed.committed(events);
      for (const fold of folds) fold.settle();
    } catch (error) {
      for (const changes of work.values()) for (const change of changes) change.reject(error);
    }
  }

  /**
   * A client of its own for LISTEN, so that its connection's loss is seen (onclose) and handled
   * by the feed. `onnotify` is the option the package's own `listen()` is built on; its type
   * declarations leave it out, hence the widened type.
   */
  #openListenConnection(handlers: ListenHandlers): Sql {
    const options: postgres.Options<{}> & { onnotify(channel: string, payload: string): void } = {
      max: 1,
      max_lifetime: null,
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: `${APPLICATION_NAME}-listen` },
      onnotify: (_channel, payload) => handlers.onNotify(payload),
      onclose: () => handlers.onClose(),
    };
    return postgres(this.#url, options);
  }
}
