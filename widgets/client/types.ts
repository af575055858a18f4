import type { Control, Job, JobEvent } from '../../server/protocol/job.ts';

/**
 * - `connecting`: the first attempt, nothing has failed yet.
 * - `live`: a transport is open and subscriptions flow.
 * - `reconnecting`: the connection dropped or an attempt failed; a retry is pending
 *   (`nextRetryAt`) or under way.
 * - `offline`: the browser is offline, or the hub closed the connection with a code that forbids
 *   retrying; nothing is attempted until the browser comes back online or `reconnectNow()`.
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export type TransportKind = 'websocket' | 'sse';

/** What a channel listener receives. */
export type ChannelUpdate =
  /** The channel's whole current state; `jobs` is always an array (`job:<id>` gives one). */
  | { type: 'snapshot'; channel: string; jobs: Job[]; recovered: boolean }
  | { type: 'event'; channel: string; event: JobEvent }
  /** The hub refused the channel, e.g. `not_found` for a `job:<id>` it does not know. */
  | { type: 'error'; channel: string; code: string; message: string };

export interface ChannelListener {
  (update: ChannelUpdate): void;
}

/** The `detail` of every `statechange` event. */
export interface ConnectionStatus {
  state: ConnectionState;
  transport: TransportKind | null;
  /** Round trip of the last WebSocket ping, in milliseconds; null before the first pong or on SSE. */
  latencyMs: number | null;
  /** `Date.now()` of the last message received on any transport. */
  lastMessageAt: number | null;
  /** `Date.now()` at which the next reconnect attempt starts; null when none is scheduled. */
  nextRetryAt: number | null;
  /** The hub's heartbeat interval for the current transport. */
  heartbeatMs: number;
  /**
   * Silence longer than this means the connection may be dead; null when the transport cannot
   * tell (SSE heartbeats are comments, which EventSource does not surface).
   */
  staleAfterMs: number | null;
  /** Why the connection is offline when the hub forbade retrying (a close reason), else null. */
  closeReason: string | null;
  /** The controls the access token grants (its `controls` claim); every control without a token. */
  grantedControls: readonly Control[];
}

/** Body of `POST /v1/jobs`. */
export interface SubmitJobBody {
  type: string;
  input?: unknown;
  key?: string;
  labels?: Record<string, string>;
}

/**
 * A handle on the shared connection to one hub. Every `connect()` call returns a new handle on
 * the same underlying connection; `release()` gives the handle back.
 *
 * @fires statechange - CustomEvent<ConnectionStatus> on any change of state, transport,
 *   latency, next retry time or heartbeat interval.
 */
export interface HubConnection extends EventTarget {
  /** Normalised hub URL (absolute, no trailing slash). */
  readonly hubUrl: string;
  readonly state: ConnectionState;
  readonly transport: TransportKind | null;
  readonly latencyMs: number | null;
  readonly lastMessageAt: number | null;
  readonly nextRetryAt: number | null;
  readonly heartbeatMs: number;
  readonly staleAfterMs: number | null;
  readonly closeReason: string | null;
  readonly grantedControls: readonly Control[];
  /** All of the above in one object (the `statechange` detail). */
  readonly status: ConnectionStatus;
  /**
   * Listens to a channel (`job:<id>`, `jobs`, `jobs:<type>`). If the channel is already open the
   * listener receives its current snapshot at once (in a microtask). Returns the unsubscribe
   * function; the hub subscription ends with the channel's last listener.
   */
  subscribe(channel: string, listener: ChannelListener): () => void;
  /** The latest known state of every job on a channel (empty before its snapshot). */
  jobs(channel: string): Job[];
  /** `POST /v1/jobs`. Rejects with a {@link HubRequestError}. */
  submit(body: SubmitJobBody): Promise<Job>;
  /** `POST /v1/jobs/:id/<control>`. Rejects with a {@link HubRequestError} (409 when the job's state forbids it). */
  control(jobId: string, control: Control): Promise<Job>;
  /** Drops any pending wait and tries to connect at once (also from `offline`). */
  reconnectNow(): void;
  /** Ends this handle's subscriptions and gives it back; idempotent. */
  release(): void;
}

/** Anything shaped like the browser's WebSocket, so tests and stories can inject a fake. */
export interface WebSocketLike extends EventTarget {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Anything shaped like the browser's EventSource. */
export interface EventSourceLike extends EventTarget {
  readonly readyState: number;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** Returns a fresh access token (a JWT) for a hub running with `AUTH=jwt`. */
export type TokenProvider = () => Promise<string>;

/**
 * Options of a connection. They take effect when the connection to a hub URL is first opened;
 * later `connect()` calls for the same URL share it as is.
 */
export interface ConnectOptions {
  /**
   * Access token for a hub running with `AUTH=jwt`: sent as the WebSocket's first frame, as
   * `Authorization: Bearer` on REST calls, and traded for a ticket before an SSE stream opens.
   * Unlike the other options, a token or provider given to a later `connect()` replaces the
   * connection's.
   */
  token?: string | null;
  /** Called for the first token when no `token` is given, before each token expires, and after the hub closes with 4402. */
  tokenProvider?: TokenProvider | null;
  /** WebSocket implementation; `null` disables the WebSocket transport. */
  WebSocket?: WebSocketConstructor | null;
  /** EventSource implementation; `null` disables the SSE fallback. */
  EventSource?: EventSourceConstructor | null;
  fetch?: FetchFunction;
  /** WebSocket silence after which the connection counts as dead. Default: twice `heartbeatMs`. */
  heartbeatTimeoutMs?: number;
  /** SSE silence (the hub pings every 15 s) after which the stream is reopened. Default 30 000. */
  sseIdleTimeoutMs?: number;
  /** Interval of latency pings over the WebSocket. Default 15 000. */
  pingIntervalMs?: number;
  /** A transport that has not opened after this long has failed. Default 10 000. */
  connectTimeoutMs?: number;
  /** While on SSE, how often to try the WebSocket again. Default 60 000. */
  webSocketRetryMs?: number;
  /** How long the socket stays open after the last handle is released. Default 1 000. */
  releaseDelayMs?: number;
  /** Reconnect backoff: full jitter between 0 and min(maxMs, baseMs · 2^attempt). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Source of randomness for the jitter, in [0, 1). */
  random?: () => number;
}
