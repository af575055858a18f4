import type { Metrics } from "./metrics.ts";

/** Where an outbox writes: a WebSocket or an SSE stream. */
export interface Sink {
  /** Writes one message; a returned promise means "wait before the next one". */
  write(text: string): void | Promise<void>;
  /** True while the transport's own buffer is full. */
  congested(): boolean;
}

interface Entry {
  text: string;
  bytes: number;
  /** Set on progress entries that a newer sample for the same job and channel may replace. */
  key?: string;
}

/**
 * A connection's send queue. Progress for a job is coalesced (the newest sample replaces a queued
 * one) while every other message keeps its place; the queue is bounded in bytes, and `onOverflow`
 * is called once when a client falls too far behind even so.
 */
export class Outbox {
  readonly #entries: Entry[] = [];
  readonly #replaceable = new Map<string, Entry>();
  #bytes = 0;
  #pumping = false;
  #closed = false;
  #roomWaiters: (() => void)[] = [];
  readonly #queuedBytesMetric: { inc(by?: number): void };
  readonly #sentMetric: { inc(by?: number): void };
  readonly #coalescedMetric: { inc(by?: number): void };

  constructor(
    private readonly sink: Sink,
    private readonly maxBytes: number,
    metrics: Metrics,
    transport: string,
    private readonly onOverflow: () => void,
  ) {
    this.#queuedBytesMetric = metrics.queueBytes.labelled({ transport });
    this.#sentMetric = metrics.eventsOut.labelled({ transport });
    this.#coalescedMetric = metrics.coalesced.labelled({ where: "connection" });
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Queues a message. `coalesceKey` marks a progress sample that may replace the queued sample
   * with the same key; `barrierKey` marks an ordered message after which no earlier sample may
   * be replaced (so progress never jumps ahead of a status change).
   */
  push(text: string, bytes: number, options: { coalesceKey?: string; barrierKey?: string } = {}): void {
    if (this.#closed) return;
    const { coalesceKey, barrierKey } = options;
    if (coalesceKey !== undefined) {
      const queued = this.#replaceable.get(coalesceKey);
      if (queued) {
        this.#resize(bytes - queued.bytes);
        queued.text = text;
        queued.bytes = bytes;
        this.#coalescedMetric.inc();
        return;
      }
    }
    if (barrierKey !== undefined) this.#replaceable.delete(barrierKey);
    // Fast path: nothing waiting and room in the socket, so write now without queueing.
    if (this.#entries.length === 0 && !this.#pumping && !this.sink.congested()) {
      const written = this.#write(text);
      if (written) {
        // An asynchronous sink: hold later messages until this one is taken.
        this.#pumping = true;
        written.then(() => {
          this.#pumping = false;
          this.#pump();
        }, () => this.close());
      }
      return;
    }
    const entry: Entry = { text, bytes, key: coalesceKey };
    if (coalesceKey !== undefined) this.#replaceable.set(coalesceKey, entry);
    this.#entries.push(entry);
    this.#resize(bytes);
    if (this.#bytes > this.maxBytes) {
      this.close();
      this.onOverflow();
      return;
    }
    this.#pump();
  }

  /**
   * Resolves when the queue is at most half full (or closed), so bulk senders such as a replay
   * can pace themselves instead of overflowing it.
   */
  room(): Promise<void> {
    if (this.#closed || this.#bytes <= this.maxBytes / 2) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Drops everything queued; later pushes are ignored. */
  close(): void {
    this.#closed = true;
    this.#wakeRoomWaiters();
    this.#entries.length = 0;
    this.#replaceable.clear();
    this.#resize(-this.#bytes);
  }

  #resize(delta: number): void {
    if (delta === 0) return;
    this.#bytes += delta;
    this.#queuedBytesMetric.inc(delta);
    if (delta < 0 && this.#bytes <= this.maxBytes / 2) this.#wakeRoomWaiters();
  }

  #wakeRoomWaiters(): void {
    for (const wake of this.#roomWaiters.splice(0)) wake();
  }

  #pump(): void {
    if (this.#pumping || this.#entries.length === 0) return;
    this.#pumping = true;
    this.#drain().finally(() => {
      this.#pumping = false;
    });
  }

  async #drain(): Promise<void> {
    while (!this.#closed && this.#entries.length > 0) {
      if (this.sink.congested()) {
        // The transport gives no drain event here, so look again shortly.
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const entry = this.#entries.shift()!;
      if (entry.key !== undefined && this.#replaceable.get(entry.key) === entry) this.#replaceable.delete(entry.key);
      this.#resize(-entry.bytes);
      const written = this.#write(entry.text);
      if (written) await written.catch(() => this.close());
    }
  }

  /** Writes one message, closing the outbox if the transport throws. */
  #write(text: string): Promise<void> | undefined {
    try {
      const written = this.sink.write(text);
      this.#sentMetric.inc();
      return written ?? undefined;
    } catch {
      this.close();
      return undefined;
    }
  }
}
