import type { WSContext, WSEvents } from "hono/ws";
import { CLOSE_CODES, ClientFrame, type ServerFrame } from "../protocol/index.ts";
import type { Hub } from "../hub/hub.ts";
import type { ChannelMessage } from "../hub/message.ts";
import type { Metrics } from "../hub/metrics.ts";
import { jsonProblem } from "../http/json-limits.ts";
import { Problem } from "../http/problem.ts";
import type { Logger } from "../log.ts";
import { type Access, OPEN_ACCESS } from "../auth/access.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import { TokenBucket } from "../auth/rate-limit.ts";
import { ClientSession, frameText, onExpiry, type SessionLimits } from "./session.ts";

export interface WebSocketOptions extends SessionLimits {
  heartbeatMs: number;
  maxFrameBytes: number;
  /** Bytes the socket may buffer before the send queue holds messages back. */
  socketHighWater: number;
  /** Frames a client may send per second, and at once. */
  framesPerSecond: number;
  frameBurst: number;
}

interface Dependencies {
  hub: Hub;
  metrics: Metrics;
  logger: Logger;
  options: WebSocketOptions;
  /** Present when `AUTH=jwt`: the first frame must then be `auth`. */
  authenticator?: Authenticator;
}

/** The events of one WebSocket connection, for Hono's `upgradeWebSocket` on any runtime. */
export function websocketEvents(dependencies: Dependencies, register: (session: WebSocketSession) => () => void): WSEvents {
  let session: WebSocketSession | undefined;
  let unregister = () => {};
  return {
    onOpen(_event, ws) {
      session = new WebSocketSession(ws, dependencies);
      unregister = register(session);
    },
    onMessage(event, _ws) {
      session?.receive(event.data);
    },
    onClose(event) {
      session?.dispose(closeReasonName(event.code));
      unregister();
    },
    onError() {
      session?.dispose("error");
      unregister();
    },
  };
}

export class WebSocketSession extends ClientSession {
  readonly #ws: WSContext;
  readonly #dependencies: Dependencies;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  #awaitingPong = false;
  /** Channels whose subscribe is still reading its snapshot. */
  readonly #subscribing = new Set<string>();
  readonly #frames: TokenBucket;
  /** Undefined until the `auth` frame is verified when tokens are required. */
  #access: Access | undefined;
  /** The `auth` frame being verified: frames behind it wait for it. */
  #authenticating: Promise<void> = Promise.resolve();
  #cancelAuthDeadline = () => {};
  #cancelExpiry = () => {};

  constructor(ws: WSContext, dependencies: Dependencies) {
    const { hub, metrics, options } = dependencies;
    super(hub, metrics, options, "websocket", {
      write: (text) => ws.send(text),
      congested: () => ((ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0) > options.socketHighWater,
    });
    this.#ws = ws;
    this.#dependencies = dependencies;
    this.#frames = new TokenBucket(options.framesPerSecond, options.frameBurst);
    const { authenticator } = dependencies;
    if (authenticator) {
      this.#cancelAuthDeadline = onExpiry(Date.now() + authenticator.authTimeoutMs, () => this.#refuse("no auth frame in time"));
    } else {
      this.#access = OPEN_ACCESS;
    }
    this.#send({ op: "welcome", epoch: hub.epoch, heartbeatMs: options.heartbeatMs, maxFrameBytes: options.maxFrameBytes });
    this.#heartbeat = setInterval(() => {
      if (this.#awaitingPong) {
        this.close("heartbeat_timeout");
        return;
      }
      this.#awaitingPong = true;
      this.#send({ op: "ping" });
    }, options.heartbeatMs);
  }

  override deliver(message: ChannelMessage): void {
    this.sendMessage(message, message.websocketText);
  }

  override close(reason: keyof typeof CLOSE_CODES): void {
    if (this.closed) return;
    const { code } = CLOSE_CODES[reason];
    this.dispose(reason);
    try {
      this.#ws.close(code, reason);
    } catch {
      // Already closed by the peer.
    }
  }

  override dispose(reason: string): void {
    clearInterval(this.#heartbeat);
    this.#cancelAuthDeadline();
    this.#cancelExpiry();
    super.dispose(reason);
  }

  receive(data: unknown): void {
    if (this.closed) return;
    // Any frame proves the client is alive.
    this.#awaitingPong = false;
    if (typeof data === "string" && data.length > this.#dependencies.options.maxFrameBytes * FAR_OVER_LIMIT) {
      // Not worth an answer, rate-limited or not: close as the Node adapter's own payload limit does.
      this.close("message_too_big");
      return;
    }
    if (!this.#frames.take()) {
      this.metrics.rateLimited.inc({ what: "frames" });
      this.#fail(new Problem("rate_limited", `at most ${this.#dependencies.options.framesPerSecond} frames a second; this frame was dropped`), typeof data === "string" && data.length <= this.#dependencies.options.maxFrameBytes ? frameIdOf(safeJson(data)) : undefined);
      return;
    }
    let frame: ClientFrame;
    let id: number | undefined;
    try {
      if (typeof data !== "string") throw new Problem("invalid_frame", "frames are JSON text, not binary");
      if (data.length > this.#dependencies.options.maxFrameBytes) {
        throw new Problem("frame_too_large", `frames are limited to ${this.#dependencies.options.maxFrameBytes} bytes`);
      }
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        throw new Problem("bad_json", "the frame is not valid JSON");
      }
      id = frameIdOf(json);
      const problem = jsonProblem(json);
      if (problem) throw new Problem("invalid_frame", `the frame ${problem}`);
      frame = parseFrame(json);
    } catch (error) {
      this.#fail(error, id);
      return;
    }
    this.#handle(frame).catch((error) => this.#fail(error, "id" in frame ? frame.id : undefined));
  }

  async #handle(frame: ClientFrame): Promise<void> {
    if (frame.op === "auth") {
      const verifying = this.#authenticate(frame.token, frame.id);
      this.#authenticating = verifying.catch(() => undefined);
      return await verifying;
    }
    await this.#authenticating;
    if (this.closed) return;
    const access = this.#access;
    if (!access) {
      // Heartbeat answers may cross the auth frame; anything else must wait for it.
      if (frame.op !== "pong") this.#refuse("send an auth frame first");
      return;
    }
    switch (frame.op) {
      case "ping":
        this.#send(frame.id === undefined ? { op: "pong" } : { op: "pong", id: frame.id });
        return;
      case "pong":
        return;
      case "unsubscribe": {
        const subscription = this.subscriptions.get(frame.channel);
        if (!subscription) throw new Problem("not_subscribed", `not subscribed to '${frame.channel}'`);
        this.subscriptions.delete(frame.channel);
        this.hub.unsubscribe(subscription);
        this.#send({ op: "unsubscribed", id: frame.id, channel: frame.channel });
        return;
      }
      case "subscribe": {
        if (this.subscriptions.has(frame.channel) || this.#subscribing.has(frame.channel)) {
          throw new Problem("already_subscribed", `already subscribed to '${frame.channel}'`);
        }
        if (this.subscriptions.size + this.#subscribing.size >= this.limits.maxSubscriptions) {
          throw new Problem("too_many_subscriptions", `at most ${this.limits.maxSubscriptions} subscriptions per connection`);
        }
        // Hold the slot during the asynchronous snapshot, so two quick subscribes cannot both pass the checks.
        this.#subscribing.add(frame.channel);
        try {
          const { subscription, snapshot, recovered, pos, replay } = await this.hub.subscribe(this, frame.channel, frame.since, access);
          if (this.closed) {
            this.hub.unsubscribe(subscription);
            return;
          }
          this.subscriptions.set(frame.channel, subscription);
          this.#send({ op: "subscribed", id: frame.id, channel: frame.channel, snapshot, recovered, pos });
          await this.catchUp(subscription, replay);
        } finally {
          this.#subscribing.delete(frame.channel);
        }
      }
    }
  }

  /** First `auth` frame, or a refresh: the labels must stay the same, as subscriptions were granted for them. */
  async #authenticate(token: string, id: number | undefined): Promise<void> {
    const { authenticator } = this.#dependencies;
    if (!authenticator) throw new Problem("invalid_frame", "this hub does not use tokens");
    let access: Access;
    try {
      access = await authenticator.verifyAccessToken(token);
    } catch (error) {
      if (this.#access) throw error;
      this.#refuse("the token was refused");
      return;
    }
    if (this.closed) return;
    if (this.#access && JSON.stringify(sortedLabels(this.#access)) !== JSON.stringify(sortedLabels(access))) {
      throw new Problem("forbidden", "a refreshed token must carry the same labels; reconnect to change scope");
    }
    this.#cancelAuthDeadline();
    this.#cancelExpiry();
    this.#access = access;
    const expiresAt = access.expiresAt!;
    this.#cancelExpiry = onExpiry(expiresAt, () => this.close("token_expired"));
    this.#send({ op: "authed", ...(id === undefined ? {} : { id }), expiresAt: new Date(expiresAt).toISOString() });
  }

  /** Without valid credentials: one `unauthorized` error frame, then close with 4401. */
  #refuse(message: string): void {
    if (this.closed) return;
    this.#fail(new Problem("unauthorized", message), undefined);
    this.close("unauthorized");
  }

  #fail(error: unknown, id: number | undefined): void {
    const problem = error instanceof Problem ? error : new Problem("internal", "internal error");
    if (problem.code === "internal") this.#dependencies.logger.error("websocket frame failed", { error: String(error) });
    this.metrics.errors.inc({ code: problem.code });
    this.#send({ op: "error", ...(id === undefined ? {} : { id }), code: problem.code, message: problem.message, ...(problem.details === undefined ? {} : { details: problem.details }) });
  }

  #send(frame: ServerFrame): void {
    this.sendText(frameText(frame));
  }
}

/** Frames up to this many times the limit get an error frame; larger ones close the connection. */
export const FAR_OVER_LIMIT = 4;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sortedLabels(access: Access): [string, string][] {
  return Object.entries(access.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function frameIdOf(json: unknown): number | undefined {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** Validates a frame, naming the most useful error: an unknown op or channel before other issues. */
function parseFrame(json: unknown): ClientFrame {
  const parsed = ClientFrame.safeParse(json);
  if (parsed.success) return parsed.data;
  const op = (json as { op?: unknown } | null)?.op;
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Problem("invalid_frame", "a frame is a JSON object with an 'op'");
  if (!["subscribe", "unsubscribe", "ping", "pong", "auth"].includes(op as string)) {
    throw new Problem("unknown_op", `unknown op ${JSON.stringify(op)}`, parsed.error.issues);
  }
  if (parsed.error.issues.some((issue) => issue.path[0] === "channel")) {
    throw Problem.fromZod("unknown_channel", "invalid channel", parsed.error);
  }
  throw Problem.fromZod("invalid_frame", "invalid frame", parsed.error);
}

function closeReasonName(code: number): string {
  const known = Object.entries(CLOSE_CODES).find(([, value]) => value.code === code);
  return known ? known[0] : `code_${code}`;
}
