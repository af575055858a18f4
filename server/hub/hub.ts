import type { Job, JobEvent } from "../protocol/index.ts";
import { formatPosition, parseChannel, parsePosition, type ChannelTarget } from "../protocol/index.ts";
import type { Engine, ReplayFilter } from "../engines/engine.ts";
import { type Access, mayView, OPEN_ACCESS } from "../auth/access.ts";
import { Problem } from "../http/problem.ts";
import { ChannelMessage } from "./message.ts";
import type { Metrics } from "./metrics.ts";

/** A connected client as the hub sees it: something that takes channel messages in order. */
export interface Session {
  deliver(message: ChannelMessage): void;
}

/** One session's interest in one channel. */
export class Subscription {
  /** Offset of the newest event delivered or covered by the snapshot; older ones are skipped. */
  lastOffset = 0;
  /** Live messages held back while the snapshot and replay are being sent. */
  #held: ChannelMessage[] | null = [];
  /** False once unsubscribed: deliveries still in the hub's dispatch queue are dropped. */
  active = true;
  /** Each snapshot job's seq: a held event the snapshot already shows is not sent again. */
  snapshotSeqs = new Map<string, number>();

  constructor(readonly session: Session, readonly channel: string, readonly target: ChannelTarget, readonly access: Access = OPEN_ACCESS) {}

  /** Filtering decides who receives a message; the message itself stays shared by the channel. */
  offer(message: ChannelMessage): void {
    if (!this.active || !this.access.sees(message.event.job)) return;
    if (this.#held) this.#held.push(message);
    else this.#deliver(message);
  }

  /**
   * Ends the catch-up phase: delivers the replay, paced by `room` so that a long one cannot
   * overflow the session's queue, then what arrived meanwhile, then goes live.
   */
  async goLive(replay: readonly ChannelMessage[], room: () => Promise<void>): Promise<void> {
    for (const message of replay) {
      if (!this.access.sees(message.event.job)) continue;
      await room();
      this.#deliver(message);
    }
    const held = this.#held ?? [];
    this.#held = null;
    for (const message of held) {
      if (message.event.seq > (this.snapshotSeqs.get(message.event.jobId) ?? 0)) this.#deliver(message);
    }
    this.snapshotSeqs.clear();
  }

  #deliver(message: ChannelMessage): void {
    if (message.event.offset <= this.lastOffset) return;
    this.lastOffset = message.event.offset;
    this.session.deliver(message);
  }
}

export interface SubscribeResult {
  subscription: Subscription;
  snapshot: Job | Job[];
  recovered: boolean;
  /** Position as of the snapshot. */
  pos: string;
  /** Events missed since the requested position, oldest first (only when recovered). */
  replay: ChannelMessage[];
}

export interface HubOptions {
  engine: Engine;
  metrics: Metrics;
  /** Jobs in a `jobs` or `jobs:<type>` snapshot at most (newest first). */
  snapshotLimit: number;
  /** Events replayed on resume at most; beyond that the subscriber gets a fresh snapshot. */
  replayLimit: number;
}

/** Channels and their subscribers: turns each committed event into one message per channel. */
export class Hub {
  readonly #channels = new Map<string, Set<Subscription>>();
  readonly #options: HubOptions;
  #unsubscribe?: () => void;
  /** Offset of the newest event handed to every subscriber. */
  lastPublishedOffset = 0;
  /** Events waiting to be handed out, oldest first: a large fan-out is spread over several turns. */
  readonly #dispatchQueue: Dispatch[] = [];
  #dispatchScheduled = false;

  constructor(options: HubOptions) {
    this.#options = options;
  }

  get epoch(): string {
    return this.#options.engine.epoch;
  }

  start(): void {
    this.#unsubscribe = this.#options.engine.onEvent((event) => this.#publish(event));
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#channels.clear();
    this.#dispatchQueue.length = 0;
  }

  /**
   * Registers the subscription first, so that nothing committed while the snapshot is read is
   * missed; the caller sends the snapshot, then calls `subscription.goLive(replay, room)`.
   */
  async subscribe(session: Session, channel: string, since?: string, access: Access = OPEN_ACCESS): Promise<SubscribeResult> {
    const target = parseChannel(channel);
    // `job:<id>` is checked against the job itself, so that a hidden job looks like a missing one.
    if (target.kind !== "job" && !access.mayRead(channel)) throw new Problem("forbidden", `this token may not subscribe to '${channel}'`);
    const subscription = new Subscription(session, channel, target, access);
    this.#add(subscription);
    try {
      const { engine } = this.#options;
      const head = await engine.headOffset();
      const snapshot = await this.#snapshot(target, access);
      for (const job of Array.isArray(snapshot) ? snapshot : [snapshot]) subscription.snapshotSeqs.set(job.id, job.seq);
      const resumeFrom = since === undefined ? undefined : parsePosition(since);
      if (resumeFrom && resumeFrom.epoch === engine.epoch && resumeFrom.offset <= head) {
        const { events, complete } = await engine.replay(resumeFrom.offset, replayFilter(target), this.#options.replayLimit);
        if (complete) {
          subscription.lastOffset = resumeFrom.offset;
          const replay = events.map((event) => this.#message(channel, event, JSON.stringify(event)));
          return { subscription, snapshot, recovered: true, pos: formatPosition(engine.epoch, resumeFrom.offset), replay };
        }
      }
      subscription.lastOffset = head;
      return { subscription, snapshot, recovered: false, pos: formatPosition(engine.epoch, head), replay: [] };
    } catch (error) {
      this.unsubscribe(subscription);
      throw error;
    }
  }

  unsubscribe(subscription: Subscription): void {
    subscription.active = false;
    const subscribers = this.#channels.get(subscription.channel);
    if (!subscribers?.delete(subscription)) return;
    this.#options.metrics.subscriptions.dec();
    if (subscribers.size === 0) this.#channels.delete(subscription.channel);
  }

  async #snapshot(target: ChannelTarget, access: Access): Promise<Job | Job[]> {
    const { engine, snapshotLimit } = this.#options;
    if (target.kind === "job") {
      const job = await engine.get(target.id);
      if (!job || !mayView(access, job)) throw new Problem("not_found", `no job '${target.id}'`);
      return job;
    }
    const type = target.kind === "type" ? target.type : undefined;
    const labels = Object.keys(access.labels).length > 0 ? access.labels : undefined;
    const { jobs } = await engine.list({ type, labels, limit: snapshotLimit });
    return labels ? jobs.filter((job) => access.sees(job)) : jobs;
  }

  #add(subscription: Subscription): void {
    let subscribers = this.#channels.get(subscription.channel);
    if (!subscribers) {
      subscribers = new Set();
      this.#channels.set(subscription.channel, subscribers);
    }
    subscribers.add(subscription);
    this.#options.metrics.subscriptions.inc();
  }

  #publish(event: JobEvent): void {
    this.#options.metrics.eventsCommitted.inc({ kind: event.kind });
    const deliveries: Dispatch["deliveries"] = [];
    let eventJson: string | undefined;
    for (const channel of [`job:${event.jobId}`, "jobs", `jobs:${event.job.type}`]) {
      const subscribers = this.#channels.get(channel);
      if (!subscribers) continue;
      eventJson ??= JSON.stringify(event);
      deliveries.push({ message: this.#message(channel, event, eventJson), subscribers: [...subscribers], next: 0 });
    }
    this.#dispatchQueue.push({ offset: event.offset, deliveries });
    if (!this.#dispatchScheduled) this.#dispatch();
  }

  /** Hands out queued events in order, yielding the event loop after a bounded number of deliveries. */
  #dispatch(): void {
    let budget = DELIVERIES_PER_TURN;
    while (this.#dispatchQueue.length > 0) {
      const dispatch = this.#dispatchQueue[0]!;
      for (const delivery of dispatch.deliveries) {
        while (delivery.next < delivery.subscribers.length) {
          if (budget-- === 0) {
            this.#dispatchScheduled = true;
            setTimeout(() => {
              this.#dispatchScheduled = false;
              this.#dispatch();
            }, 0);
            return;
          }
          delivery.subscribers[delivery.next++]!.offer(delivery.message);
        }
      }
      this.#dispatchQueue.shift();
      this.lastPublishedOffset = Math.max(this.lastPublishedOffset, dispatch.offset);
    }
  }

  #message(channel: string, event: JobEvent, eventJson: string): ChannelMessage {
    return new ChannelMessage(channel, event, formatPosition(this.#options.engine.epoch, event.offset), eventJson);
  }
}

/** Deliveries made before the hub lets other work (requests, pings, other jobs) run. */
const DELIVERIES_PER_TURN = 2_000;

interface Dispatch {
  offset: number;
  deliveries: { message: ChannelMessage; subscribers: Subscription[]; next: number }[];
}

function replayFilter(target: ChannelTarget): ReplayFilter {
  if (target.kind === "job") return { jobId: target.id };
  if (target.kind === "type") return { type: target.type };
  return {};
}
