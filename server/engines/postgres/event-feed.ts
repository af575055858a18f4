import type { Sql } from "postgres";
import type { JobEvent } from "../../protocol/index.ts";
import { EVENTS_CHANNEL } from "./writes.ts";

export interface ListenHandlers {
  onNotify(payload: string): void;
  onClose(): void;
}

export interface EventFeedOptions {
  /** The pool that reads the event log. */
  sql: Sql;
  /** Opens the dedicated connection that LISTENs. */
  openListenConnection(handlers: ListenHandlers): Sql;
  /** How often the head offset is read anyway, in case notifications stop arriving unnoticed. */
  pollIntervalMs: number;
  /** Events read per query. */
  readBatch: number;
  /** First wait before re-establishing a lost LISTEN connection; doubles while it fails. */
  listenRetryMs: number;
  onError(error: unknown, context: string): void;
}

const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * Delivers every committed event, from any instance, to this instance's listeners in offset order.
 *
 * A notification only carries the new head offset; the events themselves are read from the log
 * after the last offset delivered. Because offsets commit in order (see writes.ts), everything up
 * to a notified head is already visible, so reading "after the last delivered offset" never skips
 * an event, and after a dropped LISTEN connection the same read fills the gap.
 */
export class EventFeed {
  readonly #options: EventFeedOptions;
  readonly #listeners = new Set<(event: JobEvent) => void>();
  #listenSql: Sql | undefined;
  #listening = false;
  #stopped = false;
  #delivered = 0;
  #target = 0;
  #reading: Promise<void> | undefined;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectDelayMs: number;
  #reconnects = 0;

  constructor(options: EventFeedOptions) {
    this.#options = options;
    this.#reconnectDelayMs = options.listenRetryMs;
  }

  /** Starts listening; events after `head` are delivered. */
  async start(head: number): Promise<void> {
    this.#delivered = this.#target = head;
    this.#listenSql = this.#options.openListenConnection({
      onNotify: (payload) => this.#advance(Number(payload)),
      onClose: () => this.#connectionLost(),
    });
    await this.#listen();
    this.#pollTimer = setInterval(() => this.#poll(), this.#options.pollIntervalMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#reconnectTimer);
    this.#listeners.clear();
    await this.#listenSql?.end({ timeout: 1 });
    await this.#reading;
  }

  add(listener: (event: JobEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get delivered(): number {
    return this.#delivered;
  }

  get listening(): boolean {
    return this.#listening;
  }

  /** Times the LISTEN connection was re-established. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /**
   * Called after this instance committed events (one contiguous block). When they are the very
   * next ones, they are delivered from memory at once instead of being read back from the log.
   */
  committed(events: readonly JobEvent[]): void {
    const first = events[0];
    const last = events.at(-1);
    if (!first || !last) return;
    if (this.#reading || first.offset !== this.#delivered + 1) {
      this.#advance(last.offset);
      return;
    }
    for (const event of events) this.#deliver(event);
    this.#target = Math.max(this.#target, last.offset);
  }

  #advance(head: number): void {
    if (Number.isFinite(head) && head > this.#target) this.#target = head;
    if (this.#reading || this.#retryTimer !== undefined || this.#stopped || this.#delivered >= this.#target) return;
    this.#reading = this.#readUpToTarget().finally(() => {
      this.#reading = undefined;
      this.#advance(this.#target);
    });
  }

  async #readUpToTarget(): Promise<void> {
    try {
      while (this.#delivered < this.#target && !this.#stopped) {
        if (this.#listeners.size === 0) {
          this.#delivered = this.#target;
          return;
        }
        const rows = await this.#options.sql<{ event: JobEvent }[]>`
          SELECT event FROM job_events WHERE event_offset > ${this.#delivered}
          ORDER BY event_offset LIMIT ${this.#options.readBatch}`;
        // Nothing there although the head is further on: retention removed those events.
        if (rows.length === 0) this.#delivered = this.#target;
        for (const { event } of rows) {
          if (this.#stopped) return;
          this.#deliver(event);
          this.#target = Math.max(this.#target, event.offset);
        }
      }
    } catch (error) {
      this.#options.onError(error, "reading events");
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#advance(this.#target);
      }, 1_000);
    }
  }

  #deliver(event: JobEvent): void {
    this.#delivered = event.offset;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#options.onError(error, "event listener");
      }
    }
  }

  async #listen(): Promise<void> {
    await this.#listenSql!.unsafe(`LISTEN ${EVENTS_CHANNEL}`);
    this.#listening = true;
    this.#reconnectDelayMs = this.#options.listenRetryMs;
    // Whatever was committed while nobody listened is read from the log.
    this.#advance(await this.#readHead());
  }

  #connectionLost(): void {
    this.#listening = false;
    if (this.#stopped || this.#reconnectTimer !== undefined) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#listen().then(
        () => this.#reconnects++,
        (error) => {
          this.#options.onError(error, "listening for events");
          this.#reconnectDelayMs = Math.min(this.#reconnectDelayMs * 2, MAX_RECONNECT_DELAY_MS);
          this.#connectionLost();
        },
      );
    }, this.#reconnectDelayMs);
  }

  #poll(): void {
    this.#readHead().then(
      (head) => this.#advance(head),
      (error) => this.#options.onError(error, "polling the head offset"),
    );
  }

  async #readHead(): Promise<number> {
    const [row] = await this.#options.sql<{ head_offset: string }[]>`SELECT head_offset FROM event_head`;
    return Number(row!.head_offset);
  }
}
