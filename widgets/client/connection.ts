import type { Control, Job, JobEvent } from '../../server/protocol/job.ts';
import { CONTROLS } from '../../server/protocol/states.ts';
import { backoffDelay, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS } from './backoff.ts';
import { ChannelState, parsePosition } from './channel-state.ts';
import { postJson } from './request.ts';
import { SseSession, WebSocketSession, type SessionEvents, type TransportSession } from './transports.ts';
import type {
  ChannelListener,
  ChannelUpdate,
  ConnectionState,
  ConnectionStatus,
  ConnectOptions,
  EventSourceConstructor,
  FetchFunction,
  HubConnection,
  SubmitJobBody,
  TokenProvider,
  TransportKind,
  WebSocketConstructor,
} from './types.ts';

/** The hub's default heartbeat until its `welcome` frame says otherwise. */
const DEFAULT_HEARTBEAT_MS = 25_000;
/** The hub comments on an SSE stream at least this often (invisible to EventSource). */
const SSE_HEARTBEAT_MS = 15_000;
/** On a WebSocket, silence past 1.5 heartbeats is suspicious; past `heartbeatTimeoutMs` it is fatal. */
const STALE_HEARTBEATS = 1.5;
/** A token is renewed once 80% of its remaining life has passed, at most a minute before `exp`. */
const TOKEN_RENEWAL_LEAD_MS = 60_000;

const connections = new Map<string, SharedConnection>();
const hubDefaults = new Map<string, ConnectOptions>();

/** Absolute URL without a trailing slash: the key under which a connection is shared. */
export function normalizeHubUrl(hubUrl: string): string {
  const base = typeof document === 'undefined' ? undefined : document.baseURI;
  return new URL(hubUrl, base).href.replace(/\/+$/, '');
}

/**
 * Sets default options for every connection to `hubUrl` opened afterwards, for example injected
 * transports of a fake hub, or timings. Options passed to `connect()` win over these.
 * Returns a function that removes the defaults.
 */
export function configureHub(hubUrl: string, options: ConnectOptions): () => void {
  const key = normalizeHubUrl(hubUrl);
  hubDefaults.set(key, options);
  return () => {
    if (hubDefaults.get(key) === options) hubDefaults.delete(key);
  };
}

/**
 * Returns a handle on the page's one connection to `hubUrl`, opening it if needed. The
 * connection is shared by every handle and closes shortly after the last handle is released.
 * Options apply only when this call opens the connection, except a `token` or `tokenProvider`,
 * which replaces the connection's.
 */
export function connect(hubUrl: string, options: ConnectOptions = {}): HubConnection {
  const key = normalizeHubUrl(hubUrl);
  let shared = connections.get(key);
  if (!shared) {
    shared = new SharedConnection(key, { ...hubDefaults.get(key), ...options }, () => connections.delete(key));
    connections.set(key, shared);
  } else if (options.token || options.tokenProvider) {
    shared.useCredentials(options.token, options.tokenProvider);
  }
  return shared.acquire();
}

/** One handle on a shared connection: its own event target and its own subscriptions. */
class ConnectionHandle extends EventTarget implements HubConnection {
  readonly #shared: SharedConnection;
  readonly #unsubscribers = new Set<() => void>();
  #released = false;

  constructor(shared: SharedConnection) {
    super();
    this.#shared = shared;
  }

  get hubUrl(): string {
    return this.#shared.hubUrl;
  }
  get state(): ConnectionState {
    return this.#shared.status.state;
  }
  get transport(): TransportKind | null {
    return this.#shared.status.transport;
  }
  get latencyMs(): number | null {
    return this.#shared.status.latencyMs;
  }
  get lastMessageAt(): number | null {
    return this.#shared.status.lastMessageAt;
  }
  get nextRetryAt(): number | null {
    return this.#shared.status.nextRetryAt;
  }
  get heartbeatMs(): number {
    return this.#shared.status.heartbeatMs;
  }
  get staleAfterMs(): number | null {
    return this.#shared.status.staleAfterMs;
  }
  get closeReason(): string | null {
    return this.#shared.status.closeReason;
  }
  get grantedControls(): readonly Control[] {
    return this.#shared.status.grantedControls;
  }
  get status(): ConnectionStatus {
    return { ...this.#shared.status };
  }

  subscribe(channel: string, listener: ChannelListener): () => void {
    this.#assertActive();
    const unsubscribe = this.#shared.subscribe(channel, listener);
    const once = () => {
      if (this.#unsubscribers.delete(once)) unsubscribe();
    };
    this.#unsubscribers.add(once);
    return once;
  }

  jobs(channel: string): Job[] {
    return this.#shared.jobs(channel);
  }

  submit(body: SubmitJobBody): Promise<Job> {
    return this.#shared.submit(body);
  }

  control(jobId: string, control: Control): Promise<Job> {
    return this.#shared.control(jobId, control);
  }

  reconnectNow(): void {
    this.#assertActive();
    this.#shared.reconnectNow();
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const unsubscribe of [...this.#unsubscribers]) unsubscribe();
    this.#shared.release(this);
  }

  /** Called by the shared connection on every status change. */
  notify(status: ConnectionStatus): void {
    this.dispatchEvent(new CustomEvent<ConnectionStatus>('statechange', { detail: { ...status } }));
  }

  #assertActive(): void {
    if (this.#released) throw new Error(`This connection handle to ${this.hubUrl} was released`);
  }
}

/**
 * The connection itself: one transport session at a time (plus a WebSocket probe while on
 * SSE), the channels with their state, reconnects, heartbeats and latency.
 */
class SharedConnection implements SessionEvents {
  readonly status: ConnectionStatus = {
    state: 'connecting',
    transport: null,
    latencyMs: null,
    lastMessageAt: null,
    nextRetryAt: null,
    heartbeatMs: DEFAULT_HEARTBEAT_MS,
    staleAfterMs: null,
    closeReason: null,
    grantedControls: CONTROLS,
  };
  readonly #handles = new Set<ConnectionHandle>();
  readonly #channels = new Map<string, ChannelState>();
  #session: TransportSession | null = null;
  /** A WebSocket being tried while the SSE fallback carries the traffic. */
  #probe: WebSocketSession | null = null;
  #attempt = 0;
  /** The hub's epoch as of the last snapshot: resume positions of other epochs are void. */
  #epoch: string | undefined;
  /** The WebSocket heartbeat interval announced by the hub's last `welcome`. */
  #webSocketHeartbeatMs = DEFAULT_HEARTBEAT_MS;
  #online = typeof navigator === 'undefined' || navigator.onLine !== false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #livenessTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  #tokenRenewalTimer: ReturnType<typeof setTimeout> | undefined;
  #token: string | undefined;
  #tokenProvider: TokenProvider | undefined;
  /** The provider's answer being awaited, so concurrent needs share one call. */
  #tokenRequest: Promise<void> | undefined;
  #disposed = false;

  readonly #WebSocketImpl: WebSocketConstructor | null;
  readonly #EventSourceImpl: EventSourceConstructor | null;
  readonly #fetchImpl: FetchFunction;
  readonly #options: ConnectOptions;
  readonly #onDispose: () => void;

  constructor(readonly hubUrl: string, options: ConnectOptions, onDispose: () => void) {
    this.#options = options;
    this.#onDispose = onDispose;
    this.#WebSocketImpl = options.WebSocket === undefined ? (globalThis.WebSocket ?? null) : options.WebSocket;
    this.#EventSourceImpl = options.EventSource === undefined ? (globalThis.EventSource ?? null) : options.EventSource;
    this.#fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    globalThis.addEventListener?.('online', this.#onOnline);
    globalThis.addEventListener?.('offline', this.#onOffline);
    globalThis.document?.addEventListener('visibilitychange', this.#onVisibilityChange);
    this.useCredentials(options.token, options.tokenProvider);
  }

  acquire(): ConnectionHandle {
    clearTimeout(this.#releaseTimer);
    const handle = new ConnectionHandle(this);
    this.#handles.add(handle);
    return handle;
  }

  release(handle: ConnectionHandle): void {
    this.#handles.delete(handle);
    if (this.#handles.size > 0) return;
    clearTimeout(this.#releaseTimer);
    // A short grace period lets a page that re-renders (release, then connect again) keep its socket.
    this.#releaseTimer = setTimeout(() => {
      if (this.#handles.size === 0) this.#dispose();
    }, this.#options.releaseDelayMs ?? 1_000);
  }

  subscribe(channel: string, listener: ChannelListener): () => void {
    let state = this.#channels.get(channel);
    if (!state) {
      state = new ChannelState(channel);
      this.#channels.set(channel, state);
      if (this.status.state === 'live') this.#session?.subscribe(channel, undefined);
    } else if (state.hasSnapshot || state.error) {
      const known = state;
      queueMicrotask(() => {
        if (!known.listeners.has(listener)) return;
        listener(
          known.error
            ? { type: 'error', channel, ...known.error }
            : { type: 'snapshot', channel, jobs: known.jobs(), recovered: false },
        );
      });
    }
    state.listeners.add(listener);
    const subscribed = state;
    return () => {
      subscribed.listeners.delete(listener);
      if (subscribed.listeners.size > 0 || this.#channels.get(channel) !== subscribed) return;
      this.#channels.delete(channel);
      this.#session?.unsubscribe(channel);
    };
  }

  jobs(channel: string): Job[] {
    return this.#channels.get(channel)?.jobs() ?? [];
  }

  submit(body: SubmitJobBody): Promise<Job> {
    return postJson(this.#fetchImpl, `${this.hubUrl}/v1/jobs`, body, this.#token);
  }

  control(jobId: string, control: Control): Promise<Job> {
    return postJson(this.#fetchImpl, `${this.hubUrl}/v1/jobs/${encodeURIComponent(jobId)}/${control}`, {}, this.#token);
  }

  /**
   * Takes a token, or a provider to ask for one, and connects with it: refreshed in place on an
   * open WebSocket, or by connecting anew when no transport is live.
   */
  useCredentials(token: string | undefined, tokenProvider: TokenProvider | undefined): void {
    this.#tokenProvider = tokenProvider;
    this.#tokenRequest = undefined;
    if (token) this.#useToken(token);
    else if (tokenProvider) this.#token = undefined;
    if (this.status.state === 'live' && this.#token) this.#authenticate();
    else this.reconnectNow();
  }

  reconnectNow(): void {
    this.#closeSession();
    this.#attemptConnection();
  }

  // Transport session callbacks. Sessions other than the current one (already replaced or
  // closed) are ignored, except the WebSocket probe opening.

  opened(session: TransportSession): void {
    if (session === this.#probe) {
      this.#promoteProbe(this.#probe);
      return;
    }
    if (session !== this.#session) return;
    // An SSE stream reopened for a change of channels was live all along.
    const subscriptionsFlowing = this.status.state === 'live';
    this.#goLive(session);
    if (!subscriptionsFlowing) this.#subscribeAll(session);
  }

  activity(session: TransportSession): void {
    if (session === this.#session) this.status.lastMessageAt = Date.now();
  }

  welcome(session: TransportSession, heartbeatMs: number): void {
    if (session !== this.#session || !(heartbeatMs > 0)) return;
    this.#webSocketHeartbeatMs = heartbeatMs;
    this.#update({ heartbeatMs, staleAfterMs: heartbeatMs * STALE_HEARTBEATS });
    this.#armLiveness();
  }

  snapshot(session: TransportSession, channel: string, snapshot: Job | Job[], recovered: boolean, position: string): void {
    if (session !== this.#session) return;
    this.#epoch = parsePosition(position)?.epoch ?? this.#epoch;
    const state = this.#channels.get(channel);
    if (state) this.#deliver(state, state.applySnapshot(snapshot, recovered, position));
  }

  event(session: TransportSession, channel: string, position: string, event: JobEvent): void {
    const state = session === this.#session ? this.#channels.get(channel) : undefined;
    const update = state?.applyEvent(position, event);
    if (state && update) this.#deliver(state, update);
  }

  channelError(session: TransportSession, channel: string, code: string, message: string): void {
    const state = session === this.#session ? this.#channels.get(channel) : undefined;
    if (state) this.#deliver(state, state.applyError(code, message));
  }

  latency(session: TransportSession, roundTripMs: number): void {
    if (session === this.#session) this.#update({ latencyMs: Math.round(roundTripMs) });
  }

  interrupted(session: TransportSession): void {
    if (session === this.#session) this.#setState('reconnecting');
  }

  closed(session: TransportSession, opened: boolean, finalReason?: string): void {
    if (session === this.#probe) {
      this.#probe = null;
      this.#scheduleProbe();
      return;
    }
    if (session !== this.#session) return;
    this.#closeSession();
    if (!opened && session.kind === 'websocket' && this.#EventSourceImpl) {
      this.#session = this.#openSse();
    } else if (finalReason === 'token_expired' && this.#tokenProvider) {
      this.#token = undefined;
      this.#attemptConnection();
    } else if (finalReason) {
      this.#setState('offline', { closeReason: finalReason });
    } else {
      this.#scheduleReconnect();
    }
  }

  #deliver(state: ChannelState, update: ChannelUpdate): void {
    for (const listener of [...state.listeners]) {
      try {
        listener(update);
      } catch (error) {
        // One failing listener must not starve the others, nor break the connection.
        reportError(error);
      }
    }
  }

  #attemptConnection(): void {
    clearTimeout(this.#retryTimer);
    if (!this.#online) {
      this.#setState('offline');
      return;
    }
    if (this.status.state !== 'connecting') this.#setState('reconnecting');
    if (!this.#token && this.#tokenProvider) {
      this.#requestToken().then(
        () => this.#session || this.#disposed || this.#attemptConnection(),
        () => this.#scheduleReconnect(),
      );
      return;
    }
    this.#session = this.#openWebSocket() ?? this.#openSse();
  }

  #requestToken(): Promise<void> {
    if (!this.#tokenRequest) {
      const request = (this.#tokenRequest = this.#tokenProvider!().then((token) => {
        if (this.#tokenRequest === request) this.#useToken(token);
      }));
      const settle = () => {
        if (this.#tokenRequest === request) this.#tokenRequest = undefined;
      };
      request.then(settle, settle);
    }
    return this.#tokenRequest;
  }

  /** Adopts a token: its granted controls, and a renewal before it expires when there is a provider. */
  #useToken(token: string): void {
    this.#token = token;
    const claims = decodeClaims(token);
    this.#update({ grantedControls: claims.controls ?? [] });
    clearTimeout(this.#tokenRenewalTimer);
    if (!this.#tokenProvider || !claims.exp) return;
    const remainingMs = claims.exp * 1000 - Date.now();
    this.#tokenRenewalTimer = setTimeout(
      () => this.#requestToken().then(() => this.#authenticate(), reportError),
      // At least a second apart, and within what setTimeout can wait.
      Math.min(Math.max(remainingMs - TOKEN_RENEWAL_LEAD_MS, remainingMs * 0.8, 1_000), 2 ** 31 - 1),
    );
  }

  /** Refreshes the token on the open WebSocket; a stream picks it up with its next ticket. */
  #authenticate(): void {
    if (this.#session instanceof WebSocketSession && this.#token) this.#session.authenticate(this.#token);
  }

  /** Null when there is no WebSocket, or the URL is not one it accepts (it throws then). */
  #openWebSocket(): WebSocketSession | null {
    if (!this.#WebSocketImpl) return null;
    try {
      return new WebSocketSession(this.hubUrl, this.#WebSocketImpl, this, this.#connectTimeoutMs, this.#token);
    } catch {
      return null;
    }
  }

  #openSse(): TransportSession | null {
    if (!this.#EventSourceImpl) {
      this.#scheduleReconnect();
      return null;
    }
    try {
      return new SseSession(
        this.hubUrl,
        this.#EventSourceImpl,
        this.#fetchImpl,
        this,
        this.#channels.keys(),
        () => this.#streamResumePosition(),
        this.#connectTimeoutMs,
        () => this.#token,
      );
    } catch {
      this.#scheduleReconnect();
      return null;
    }
  }

  /**
   * An SSE stream resumes every channel from one position: the oldest of the channels' positions
   * in the hub's current epoch, so no channel misses anything (channels already past it drop the
   * duplicates). Positions of an earlier epoch cannot be resumed from at all.
   */
  #streamResumePosition(): string | undefined {
    let oldest: { position: string; offset: number } | undefined;
    for (const { resumePosition } of this.#channels.values()) {
      const parsed = resumePosition ? parsePosition(resumePosition) : undefined;
      if (!resumePosition || !parsed || parsed.epoch !== this.#epoch) continue;
      if (!oldest || parsed.offset < oldest.offset) oldest = { position: resumePosition, offset: parsed.offset };
    }
    return oldest?.position;
  }

  #scheduleReconnect(): void {
    this.#closeSession();
    if (!this.#online) {
      this.#setState('offline');
      return;
    }
    const backoff = this.#options.backoff ?? {};
    const delay = backoffDelay(
      this.#attempt++,
      this.#options.random,
      backoff.baseMs ?? DEFAULT_BACKOFF_BASE_MS,
      backoff.maxMs ?? DEFAULT_BACKOFF_MAX_MS,
    );
    this.#setState('reconnecting', { nextRetryAt: Date.now() + delay });
    this.#retryTimer = setTimeout(() => this.#attemptConnection(), delay);
  }

  #scheduleProbe(): void {
    clearTimeout(this.#probeTimer);
    if (!this.#WebSocketImpl) return;
    this.#probeTimer = setTimeout(() => {
      if (this.#session?.kind !== 'sse' || this.status.state !== 'live') return;
      this.#probe = this.#openWebSocket();
      if (!this.#probe) this.#scheduleProbe();
    }, this.#options.webSocketRetryMs ?? 60_000);
  }

  /** The WebSocket works again: move every channel over (from its resume position), then drop SSE. */
  #promoteProbe(probe: WebSocketSession): void {
    this.#probe = null;
    this.#session?.close();
    this.#session = probe;
    this.#goLive(probe);
    this.#subscribeAll(probe);
  }

  #goLive(session: TransportSession): void {
    const sse = session.kind === 'sse';
    this.#attempt = 0;
    this.#update({
      state: 'live',
      transport: session.kind,
      nextRetryAt: null,
      closeReason: null,
      lastMessageAt: Date.now(),
      heartbeatMs: sse ? SSE_HEARTBEAT_MS : this.#webSocketHeartbeatMs,
      staleAfterMs: (sse ? SSE_HEARTBEAT_MS : this.#webSocketHeartbeatMs) * STALE_HEARTBEATS,
      latencyMs: sse ? null : this.status.latencyMs,
    });
    this.#armLiveness();
  }

  /** Resubscribes every channel from its resume position; starts what the transport needs. */
  #subscribeAll(session: TransportSession): void {
    for (const state of this.#channels.values()) session.subscribe(state.channel, state.resumePosition);
    if (session.kind === 'websocket') this.#startPinging(session);
    else this.#scheduleProbe();
  }

  /** Checks for silence at the moment the allowed gap would run out after the last message. */
  #armLiveness(): void {
    clearTimeout(this.#livenessTimer);
    const session = this.#session;
    if (!session) return;
    const timeout =
      session.kind === 'sse'
        ? (this.#options.sseIdleTimeoutMs ?? SSE_HEARTBEAT_MS * 2)
        : (this.#options.heartbeatTimeoutMs ?? this.#webSocketHeartbeatMs * 2);
    const silentFor = Date.now() - (this.status.lastMessageAt ?? Date.now());
    this.#livenessTimer = setTimeout(() => {
      if (session !== this.#session) return;
      if (Date.now() - (this.status.lastMessageAt ?? 0) < timeout) {
        this.#armLiveness();
        return;
      }
      if (session instanceof WebSocketSession) session.closeAsDead();
      this.#scheduleReconnect();
    }, Math.max(0, timeout - silentFor));
  }

  #startPinging(session: TransportSession): void {
    clearInterval(this.#pingTimer);
    session.ping();
    this.#pingTimer = setInterval(() => session.ping(), this.#options.pingIntervalMs ?? 15_000);
  }

  get #connectTimeoutMs(): number {
    return this.#options.connectTimeoutMs ?? 10_000;
  }

  /** Stops the current session and every timer tied to it. */
  #closeSession(): void {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#probeTimer);
    clearTimeout(this.#livenessTimer);
    clearInterval(this.#pingTimer);
    this.#session?.close();
    this.#session = null;
    this.#probe?.close();
    this.#probe = null;
  }

  readonly #onOnline = (): void => {
    this.#online = true;
    if (this.status.state !== 'live') this.reconnectNow();
  };

  readonly #onOffline = (): void => {
    this.#online = false;
    this.#closeSession();
    this.#setState('offline');
  };

  readonly #onVisibilityChange = (): void => {
    if (document.visibilityState !== 'visible') return;
    if (this.status.nextRetryAt !== null) this.reconnectNow();
    else if (this.status.state === 'live') this.#session?.ping();
  };

  /** Any state but `live`: no transport, and no retry planned unless `changes` says when. */
  #setState(state: Exclude<ConnectionState, 'live'>, changes?: Partial<ConnectionStatus>): void {
    this.#update({ state, transport: null, nextRetryAt: null, ...changes });
  }

  #update(changes: Partial<ConnectionStatus>): void {
    let changed = false;
    for (const [key, value] of Object.entries(changes) as [keyof ConnectionStatus, unknown][]) {
      if (this.status[key] === value) continue;
      (this.status as unknown as Record<string, unknown>)[key] = value;
      // lastMessageAt moves with every message; it is read, not announced.
      if (key !== 'lastMessageAt') changed = true;
    }
    if (!changed) return;
    for (const handle of [...this.#handles]) handle.notify(this.status);
  }

  #dispose(): void {
    this.#disposed = true;
    this.#tokenRequest = undefined;
    clearTimeout(this.#tokenRenewalTimer);
    this.#closeSession();
    globalThis.removeEventListener?.('online', this.#onOnline);
    globalThis.removeEventListener?.('offline', this.#onOffline);
    globalThis.document?.removeEventListener('visibilitychange', this.#onVisibilityChange);
    this.#channels.clear();
    this.#onDispose();
  }
}

/** The claims of a JWT, read without verifying it (the hub verifies); empty if it cannot be read. */
function decodeClaims(token: string): { exp?: number; controls?: Control[] } {
  try {
    return JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}
