import type { ClientFrame, ServerFrame } from '../../server/protocol/frames.ts';
import type { Job, JobEvent } from '../../server/protocol/job.ts';
import { postJson } from './request.ts';
import type {
  EventSourceConstructor,
  EventSourceLike,
  FetchFunction,
  TransportKind,
  WebSocketConstructor,
  WebSocketLike,
} from './types.ts';

/** What a transport session reports to the connection. Every callback names its session. */
export interface SessionEvents {
  /** The transport is usable (a WebSocket opened; an EventSource opened or reopened). */
  opened(session: TransportSession): void;
  /** Any inbound message: proof of life. */
  activity(session: TransportSession): void;
  /** The hub's `welcome`: the interval of its heartbeat pings. */
  welcome(session: TransportSession, heartbeatMs: number): void;
  snapshot(session: TransportSession, channel: string, snapshot: Job | Job[], recovered: boolean, position: string): void;
  event(session: TransportSession, channel: string, position: string, event: JobEvent): void;
  channelError(session: TransportSession, channel: string, code: string, message: string): void;
  latency(session: TransportSession, roundTripMs: number): void;
  /** The browser is re-establishing an interrupted EventSource by itself. */
  interrupted(session: TransportSession): void;
  /**
   * The session ended without being asked to. `opened` tells a transport that could not connect
   * at all from one that dropped; a `finalReason` means the hub's close code forbids retrying
   * (`token_expired` forbids it only until there is a new token).
   */
  closed(session: TransportSession, opened: boolean, finalReason?: string): void;
}

export interface TransportSession {
  readonly kind: TransportKind;
  subscribe(channel: string, since: string | undefined): void;
  unsubscribe(channel: string): void;
  /** Measures latency where the transport can (WebSocket only). */
  ping(): void;
  /** Ends the session quietly: no `closed` callback follows. */
  close(): void;
}

/** WebSocket close codes after which the hub asks clients not to come back (server/protocol/errors.ts). */
const FINAL_CLOSE_CODES: ReadonlyMap<number, string> = new Map([
  [1000, 'normal'],
  [4003, 'forbidden_origin'],
  [4008, 'too_many_errors'],
  [4401, 'unauthorized'],
  [4402, 'token_expired'],
]);
const CLIENT_HEARTBEAT_TIMEOUT_CODE = 4000;

const OPEN = 1;
const EVENT_SOURCE_CLOSED = 2;

export function webSocketUrl(hubUrl: string): string {
  return `${hubUrl.replace(/^http(s?):/, 'ws$1:')}/v1/ws`;
}

export function streamUrl(hubUrl: string, channels: Iterable<string>, since: string | undefined, ticket?: string): string {
  const query = new URLSearchParams();
  for (const channel of channels) query.append('channel', channel);
  if (since) query.set('since', since);
  if (ticket) query.set('ticket', ticket);
  const search = query.toString();
  return `${hubUrl}/v1/stream${search ? `?${search}` : ''}`;
}

/** One WebSocket: an `auth` frame first when there is a token, subscriptions are frames, latency comes from ping/pong. */
export class WebSocketSession implements TransportSession {
  readonly kind = 'websocket';
  readonly #socket: WebSocketLike;
  #nextFrameId = 1;
  /** Frame ids of pending subscribes, so an `error` frame can be traced to its channel. */
  readonly #pendingSubscribes = new Map<number, string>();
  readonly #pendingPings = new Map<number, number>();
  #opened = false;
  #ended = false;
  readonly #connectTimer: ReturnType<typeof setTimeout>;
  readonly #events: SessionEvents;

  constructor(
    hubUrl: string,
    WebSocketImpl: WebSocketConstructor,
    events: SessionEvents,
    connectTimeoutMs: number,
    token: string | undefined,
  ) {
    this.#events = events;
    this.#socket = new WebSocketImpl(webSocketUrl(hubUrl));
    this.#socket.addEventListener('open', () => {
      if (this.#ended) return;
      this.#opened = true;
      clearTimeout(this.#connectTimer);
      // The hub holds back the frames that follow until it has accepted the token.
      if (token) this.authenticate(token);
      this.#events.opened(this);
    });
    this.#socket.addEventListener('message', (event) => this.#receive((event as MessageEvent).data));
    this.#socket.addEventListener('close', (event) =>
      this.#end(this.#opened, FINAL_CLOSE_CODES.get((event as CloseEvent).code)),
    );
    this.#connectTimer = setTimeout(() => {
      this.#socket.close();
      this.#end(false);
    }, connectTimeoutMs);
  }

  subscribe(channel: string, since: string | undefined): void {
    const id = this.#nextFrameId++;
    this.#pendingSubscribes.set(id, channel);
    this.#send(since ? { op: 'subscribe', id, channel, since } : { op: 'subscribe', id, channel });
  }

  unsubscribe(channel: string): void {
    this.#send({ op: 'unsubscribe', id: this.#nextFrameId++, channel });
  }

  /** Sends the token; sent again on an open socket, it refreshes the token in place. */
  authenticate(token: string): void {
    this.#send({ op: 'auth', token });
  }

  ping(): void {
    const id = this.#nextFrameId++;
    this.#pendingPings.set(id, performance.now());
    this.#send({ op: 'ping', id });
  }

  close(): void {
    this.#ended = true;
    clearTimeout(this.#connectTimer);
    this.#socket.close(this.#opened ? 1000 : undefined);
  }

  /** Closes with the heartbeat-timeout code so the hub's logs tell why. */
  closeAsDead(): void {
    this.#ended = true;
    this.#socket.close(CLIENT_HEARTBEAT_TIMEOUT_CODE, 'heartbeat timeout');
  }

  #end(opened: boolean, finalReason?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#connectTimer);
    this.#events.closed(this, opened, finalReason);
  }

  #send(frame: ClientFrame): void {
    if (this.#socket.readyState === OPEN) this.#socket.send(JSON.stringify(frame));
  }

  #receive(data: unknown): void {
    if (this.#ended || typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    this.#events.activity(this);
    switch (frame.op) {
      case 'welcome':
        this.#events.welcome(this, frame.heartbeatMs);
        break;
      case 'subscribed':
        this.#pendingSubscribes.delete(frame.id);
        this.#events.snapshot(this, frame.channel, frame.snapshot, frame.recovered, frame.pos);
        break;
      case 'event':
        this.#events.event(this, frame.channel, frame.pos, frame.event);
        break;
      case 'ping':
        this.#send({ op: 'pong' });
        break;
      case 'pong': {
        const sentAt = frame.id === undefined ? undefined : this.#pendingPings.get(frame.id);
        if (sentAt === undefined) break;
        this.#pendingPings.delete(frame.id!);
        this.#events.latency(this, performance.now() - sentAt);
        break;
      }
      case 'error': {
        const channel = frame.id === undefined ? undefined : this.#pendingSubscribes.get(frame.id);
        if (channel === undefined) break;
        this.#pendingSubscribes.delete(frame.id!);
        this.#events.channelError(this, channel, frame.code, frame.message);
        break;
      }
      case 'unsubscribed':
      case 'authed':
        break;
    }
  }
}

/**
 * One EventSource carrying every channel. Its channel list is part of the URL, so a change of
 * subscriptions reopens the stream (batched per microtask) from the current resume position.
 * The hub refuses a stream without channels, so with none the session only checks that the
 * hub answers (`/healthz`) and opens a stream when the first channel arrives.
 */
export class SseSession implements TransportSession {
  readonly kind = 'sse';
  #source: EventSourceLike | null = null;
  readonly #channels: Set<string>;
  /** Identifies the latest stream or reachability check; answers to older ones are ignored. */
  #attempt: object = {};
  #opened = false;
  #everOpened = false;
  #reopenQueued = false;
  #ended = false;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #hubUrl: string;
  readonly #EventSourceImpl: EventSourceConstructor;
  readonly #fetchImpl: FetchFunction;
  readonly #events: SessionEvents;
  readonly #resumePosition: () => string | undefined;
  readonly #connectTimeoutMs: number;
  readonly #token: () => string | undefined;

  constructor(
    hubUrl: string,
    EventSourceImpl: EventSourceConstructor,
    fetchImpl: FetchFunction,
    events: SessionEvents,
    channels: Iterable<string>,
    resumePosition: () => string | undefined,
    connectTimeoutMs: number,
    token: () => string | undefined,
  ) {
    this.#hubUrl = hubUrl;
    this.#EventSourceImpl = EventSourceImpl;
    this.#fetchImpl = fetchImpl;
    this.#events = events;
    this.#resumePosition = resumePosition;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#token = token;
    this.#channels = new Set(channels);
    this.#open();
  }

  subscribe(channel: string): void {
    if (this.#channels.has(channel)) return;
    this.#channels.add(channel);
    this.#queueReopen();
  }

  unsubscribe(channel: string): void {
    if (this.#channels.delete(channel)) this.#queueReopen();
  }

  ping(): void {}

  close(): void {
    this.#ended = true;
    clearTimeout(this.#connectTimer);
    this.#source?.close();
  }

  #queueReopen(): void {
    if (this.#reopenQueued) return;
    this.#reopenQueued = true;
    queueMicrotask(() => {
      this.#reopenQueued = false;
      if (this.#ended) return;
      this.#source?.close();
      this.#source = null;
      this.#open();
    });
  }

  #open(): void {
    const attempt = (this.#attempt = {});
    const current = () => !this.#ended && this.#attempt === attempt;
    this.#opened = false;
    clearTimeout(this.#connectTimer);
    this.#connectTimer = setTimeout(() => {
      if (!current() || this.#opened) return;
      this.#source?.close();
      this.#end();
    }, this.#connectTimeoutMs);
    if (this.#channels.size === 0) this.#checkReachable(current);
    else void this.#openStream(current);
  }

  #markOpen(): void {
    this.#opened = true;
    this.#everOpened = true;
    clearTimeout(this.#connectTimer);
    this.#events.activity(this);
    this.#events.opened(this);
  }

  #checkReachable(current: () => boolean): void {
    this.#fetchImpl(`${this.#hubUrl}/healthz`)
      .then(
        (response) => response.ok,
        () => false,
      )
      .then((reachable) => {
        if (!current()) return;
        if (reachable) this.#markOpen();
        else this.#end();
      });
  }

  /** EventSource cannot send the token, so with one the stream opens with a single-use ticket for it. */
  async #openStream(current: () => boolean): Promise<void> {
    const token = this.#token();
    let ticket: string | undefined;
    try {
      ticket = token && (await postJson<{ ticket: string }>(this.#fetchImpl, `${this.#hubUrl}/v1/tickets`, {}, token)).ticket;
    } catch {
      if (current()) this.#end();
      return;
    }
    if (!current()) return;
    const source = new this.#EventSourceImpl(streamUrl(this.#hubUrl, this.#channels, this.#resumePosition(), ticket));
    this.#source = source;
    source.addEventListener('open', () => {
      if (current()) this.#markOpen();
    });
    source.addEventListener('snapshot', (message) => {
      const body = current() && this.#read<{ channel: string; snapshot: Job | Job[]; recovered: boolean; pos: string }>(message);
      if (body) this.#events.snapshot(this, body.channel, body.snapshot, body.recovered, body.pos);
    });
    // The hub's heartbeat: EventSource hides its comment, so the ping event in it is the proof of life.
    source.addEventListener('ping', () => {
      if (current()) this.#events.activity(this);
    });
    source.addEventListener('job', (message) => {
      const body = current() && this.#read<{ channel: string; pos: string; event: JobEvent }>(message);
      if (body) this.#events.event(this, body.channel, body.pos, body.event);
    });
    // `error` is both the hub's named message (a MessageEvent with data) and EventSource's own
    // connection error (a plain Event).
    source.addEventListener('error', (event) => {
      if (!current()) return;
      if (event instanceof MessageEvent) {
        const body = this.#read<{ channel?: string; code: string; message: string }>(event);
        if (body?.channel) this.#events.channelError(this, body.channel, body.code, body.message);
        return;
      }
      this.#connectionError(source);
    });
  }

  /**
   * After an interruption the browser reconnects by itself with Last-Event-ID, which resumes
   * every channel; it is left to do so once. A stream that never opened, was closed for good,
   * or fails again before reopening is handed back to the connection's own reconnect logic.
   */
  #connectionError(source: EventSourceLike): void {
    const wasOpen = this.#opened;
    this.#opened = false;
    if (wasOpen && source.readyState !== EVENT_SOURCE_CLOSED) {
      this.#events.interrupted(this);
      return;
    }
    source.close();
    this.#end();
  }

  /** A stream is always worth retrying: the hub closes SSE streams with no final reason. */
  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#connectTimer);
    this.#events.closed(this, this.#everOpened);
  }

  #read<T>(message: Event): T | undefined {
    this.#events.activity(this);
    try {
      return JSON.parse((message as MessageEvent).data as string) as T;
    } catch {
      return undefined;
    }
  }
}
