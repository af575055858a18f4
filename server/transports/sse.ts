import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { z } from "zod";
import { Channel, CLOSE_CODES, formatPosition, ResumePosition } from "../protocol/index.ts";
import type { Hub, SubscribeResult } from "../hub/hub.ts";
import type { ChannelMessage } from "../hub/message.ts";
import type { Metrics } from "../hub/metrics.ts";
import { Problem } from "../http/problem.ts";
import type { Access } from "../auth/access.ts";
import { ClientSession, onExpiry, type SessionLimits } from "./session.ts";

export interface SseOptions extends SessionLimits {
  heartbeatMs: number;
  /** The `retry:` hint: how long the browser waits before reconnecting. */
  retryMs: number;
}

interface Dependencies {
  hub: Hub;
  metrics: Metrics;
  options: SseOptions;
}

const StreamQuery = z.object({
  channel: z.array(Channel).min(1, "name at least one channel"),
  since: ResumePosition.optional(),
});

/** `GET /v1/stream?channel=…&channel=…`: several channels on one Server-Sent Events stream. */
export function sseResponse(c: Context, access: Access, dependencies: Dependencies, register: (session: SseSession) => () => void): Response {
  const parsed = StreamQuery.safeParse({ channel: c.req.queries("channel") ?? [], since: c.req.query("since") });
  if (!parsed.success) {
    const onChannel = parsed.error.issues.some((issue) => issue.path[0] === "channel" && issue.path.length > 1);
    throw Problem.fromZod(onChannel ? "unknown_channel" : "invalid_query", "invalid stream request", parsed.error);
  }
  const channels = [...new Set(parsed.data.channel)];
  if (channels.length > dependencies.options.maxSubscriptions) {
    throw new Problem("too_many_subscriptions", `at most ${dependencies.options.maxSubscriptions} channels per stream`);
  }
  // A client opening a new stream passes `since`; the browser's own reconnect repeats that URL and
  // adds Last-Event-ID, which is newer, so it wins.
  const lastEventId = c.req.header("last-event-id");
  const since = lastEventId && ResumePosition.safeParse(lastEventId).success ? lastEventId : parsed.data.since;

  return streamSSE(c, async (stream) => {
    const session = new SseSession(stream, access, dependencies);
    const unregister = register(session);
    stream.onAbort(() => session.dispose("client_closed"));
    try {
      await session.start(channels, since);
      await session.finished;
    } finally {
      unregister();
      session.dispose("closed");
    }
  });
}

export class SseSession extends ClientSession {
  readonly #stream: SSEStreamingApi;
  readonly #dependencies: Dependencies;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #access: Access;
  #cancelExpiry = () => {};
  #catchingUp = true;
  #finish!: () => void;
  readonly finished = new Promise<void>((resolve) => {
    this.#finish = resolve;
  });

  constructor(stream: SSEStreamingApi, access: Access, dependencies: Dependencies) {
    const { hub, metrics, options } = dependencies;
    super(hub, metrics, options, "sse", { write: (text) => stream.write(text).then(() => undefined), congested: () => false });
    this.#stream = stream;
    this.#dependencies = dependencies;
    this.#access = access;
    // A stream outlives its ticket but not the token behind it: the client reconnects with a new one.
    if (access.expiresAt !== undefined) this.#cancelExpiry = onExpiry(access.expiresAt, () => this.close("token_expired"));
    // A comment keeps proxies from closing an idle stream; EventSource never shows comments to the
    // page, so the same message also carries a `ping` event that lets the client see the stream is alive.
    this.#heartbeat = setInterval(() => this.sendText(": heartbeat\nevent: ping\ndata: {}\n\n"), options.heartbeatMs);
  }

  /**
   * Sends a snapshot per channel, then replays and held events without `id:`; only once every
   * channel is live does an `id:` mark a position that resumes all of them.
   */
  async start(channels: string[], since: string | undefined): Promise<void> {
    this.sendText(`retry: ${this.#dependencies.options.retryMs}\n\n`);
    const results = await Promise.all(
      channels.map((channel) => this.hub.subscribe(this, channel, since, this.#access).catch((error: unknown) => ({ channel, error }))),
    );
    if (this.closed) {
      for (const result of results) if ("subscription" in result) this.hub.unsubscribe(result.subscription);
      return;
    }
    const live: SubscribeResult[] = [];
    for (const result of results) {
      if ("error" in result) {
        const problem = result.error instanceof Problem ? result.error : new Problem("internal", "internal error");
        this.metrics.errors.inc({ code: problem.code });
        this.sendText(`event: error\ndata: ${JSON.stringify({ channel: result.channel, code: problem.code, message: problem.message })}\n\n`);
        continue;
      }
      const { subscription, snapshot, recovered, pos } = result;
      this.subscriptions.set(subscription.channel, subscription);
      this.sendText(`event: snapshot\ndata: ${JSON.stringify({ channel: subscription.channel, snapshot, recovered, pos })}\n\n`);
      live.push(result);
    }
    for (const { subscription, replay } of live) await this.catchUp(subscription, replay);
    this.#catchingUp = false;
    const covered = Math.max(this.hub.lastPublishedOffset, ...live.map(({ subscription }) => subscription.lastOffset));
    this.sendText(`id: ${formatPosition(this.hub.epoch, covered)}\n\n`);
  }

  override deliver(message: ChannelMessage): void {
    this.sendMessage(message, this.#catchingUp ? message.sseTextWithoutId : message.sseText);
  }

  override close(reason: keyof typeof CLOSE_CODES): void {
    if (this.closed) return;
    this.dispose(reason);
    this.#stream.close().catch(() => undefined);
  }

  override dispose(reason: string): void {
    clearInterval(this.#heartbeat);
    this.#cancelExpiry();
    super.dispose(reason);
    this.#finish();
  }
}
