import type { ServerFrame } from "../protocol/index.ts";
import type { Hub, Session, Subscription } from "../hub/hub.ts";
import type { ChannelMessage } from "../hub/message.ts";
import type { Metrics } from "../hub/metrics.ts";
import { Outbox, type Sink } from "../hub/outbox.ts";

export interface SessionLimits {
  maxQueueBytes: number;
  maxSubscriptions: number;
}

/** Longest delay setTimeout takes; a later expiry waits in several steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** Calls `onExpiry` once `expiresAt` (epoch ms) has passed; returns the cancel. */
export function onExpiry(expiresAt: number, expire: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const wait = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return expire();
    timer = setTimeout(wait, Math.min(left, MAX_TIMER_MS));
  };
  timer = setTimeout(wait, Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS));
  return () => clearTimeout(timer);
}

/** What both transports share: the send queue and the set of subscriptions of one client. */
export abstract class ClientSession implements Session {
  readonly subscriptions = new Map<string, Subscription>();
  protected readonly outbox: Outbox;
  #closed = false;

  constructor(
    protected readonly hub: Hub,
    protected readonly metrics: Metrics,
    protected readonly limits: SessionLimits,
    readonly transport: "websocket" | "sse",
    sink: Sink,
  ) {
    this.outbox = new Outbox(sink, limits.maxQueueBytes, metrics, transport, () => this.close("slow_consumer"));
    metrics.connections.inc({ transport });
  }

  get closed(): boolean {
    return this.#closed;
  }

  abstract deliver(message: ChannelMessage): void;

  /** Closes the transport with a reason from CLOSE_CODES. */
  abstract close(reason: "normal" | "going_away" | "slow_consumer" | "heartbeat_timeout" | "message_too_big" | "internal" | "unauthorized" | "token_expired"): void;

  /** Sends a subscription's replay and held events at the pace the client reads them. */
  protected catchUp(subscription: Subscription, replay: readonly ChannelMessage[]): Promise<void> {
    return subscription.goLive(replay, () => this.outbox.room());
  }

  protected sendText(text: string): void {
    this.outbox.push(text, text.length);
  }

  protected sendMessage(message: ChannelMessage, text: string): void {
    const key = `${message.channel}\u0000${message.event.jobId}`;
    this.outbox.push(text, message.bytes, message.coalescible ? { coalesceKey: key } : { barrierKey: key });
  }

  /** Releases everything the session holds; call once when the transport has closed. */
  dispose(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const subscription of this.subscriptions.values()) this.hub.unsubscribe(subscription);
    this.subscriptions.clear();
    this.outbox.close();
    this.metrics.connections.dec({ transport: this.transport });
    this.metrics.disconnects.inc({ transport: this.transport, reason });
  }
}

export function frameText(frame: ServerFrame): string {
  return JSON.stringify(frame);
}
