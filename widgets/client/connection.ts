import type { ClientFrame } from '../../server/protocol/frames.ts';
import type { Control, Job } from '../../server/protocol/job.ts';
import { CONTROLS } from '../../server/protocol/states.ts';
import { backoffDelay } from './backoff.ts';
import { ChannelState, parsePosition } from './channel-state.ts';
import { postJson } from './request.ts';
import { openEventSource, openWebSocket, type Session, type SessionSignal } from './transports.ts';
import type {
  ChannelListener,
  ConnectionState,
  ConnectionStatus,
  ConnectOptions,
  HubConnection,
  SubmitJobBody,
  TokenProvider,
  TransportKind,
} from './types.ts';

/** The hub comments on an SSE stream at least this often (invisible to EventSource). */
const SSE_HEARTBEAT_MS = 15_000;
/** On a WebSocket, silence past 1.5 heartbeats is suspicious; past `heartbeatTimeoutMs` it is fatal. */
const STALE_HEARTBEATS = 1.5;
/** A token is renewed once 80% of its remaining life has passed, at most a minute before `exp`. */
const TOKEN_RENEWAL_LEAD_MS = 60_000;

const INITIAL_STATUS: ConnectionStatus = {
  state: 'connecting',
  transport: null,
  latencyMs: null,
  lastMessageAt: null,
  nextRetryAt: null,
  // The hub's default heartbeat until its `welcome` frame says otherwise.
  heartbeatMs: 25_000,
  staleAfterMs: null,
  closeReason: null,
  grantedControls: CONTROLS,
};

/** A connection to one hub: makes handles on it, and takes new credentials. */
interface SharedConnection {
  Handle: new () => HubConnection;
  useCredentials(token?: string | null, tokenProvider?: TokenProvider | null): void;
}

const connections = new Map<string, SharedConnection>();
const hubDefaults = new Map<string, ConnectOptions>();

/** Absolute URL without a trailing slash: the key under which a connection is shared. */
export function normalizeHubUrl(hubUrl: string): string {
  return new URL(hubUrl, globalThis.document?.baseURI).href.replace(/\/+$/, '');
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
  if (!shared) connections.set(key, (shared = openConnection(key, { ...hubDefaults.get(key), ...options })));
  else if (options.token || options.tokenProvider) shared.useCredentials(options.token, options.tokenProvider);
  return new shared.Handle();
}

/**
 * Opens the connection to one hub: one transport session at a time (plus a WebSocket probe
 * while on SSE), the channels with their state, reconnects, heartbeats and latency.
 */
function openConnection(hubUrl: string, options: ConnectOptions): SharedConnection {
  const {
    WebSocket: WebSocketImpl = globalThis.WebSocket,
    EventSource: EventSourceImpl = globalThis.EventSource,
    fetch: fetchImpl = (input, init) => globalThis.fetch(input, init),
    connectTimeoutMs = 10_000,
    pingIntervalMs = 15_000,
    webSocketRetryMs = 60_000,
    releaseDelayMs = 1_000,
    backoff = {},
  } = options;
  const status = { ...INITIAL_STATUS };
  const handles = new Set<EventTarget>();
  const channels = new Map<string, ChannelState>();
  let session: Session | null | undefined;
  /** A WebSocket being tried while the SSE fallback carries the traffic. */
  let probe: Session | null | undefined;
  let attempt = 0;
  /** The hub's epoch as of the last snapshot: resume positions of other epochs are void. */
  let epoch: string | undefined;
  /** The WebSocket heartbeat interval announced by the hub's last `welcome`. */
  let webSocketHeartbeatMs = status.heartbeatMs;
  /** False while the browser is offline, and for good once the connection is disposed. */
  let online = globalThis.navigator?.onLine !== false;
  /** The next planned attempt: a reconnect, or a WebSocket probe while on SSE. */
  let waitTimer: ReturnType<typeof setTimeout> | undefined;
  let livenessTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;
  let renewalTimer: ReturnType<typeof setTimeout> | undefined;
  let token: string | undefined;
  let tokenProvider: TokenProvider | null | undefined;
  /** The provider's answer being awaited, so concurrent needs share one call. */
  let tokenRequest: Promise<void> | undefined;

  const environmentEvents = [
    [globalThis, 'online'],
    [globalThis, 'offline'],
    [globalThis.document, 'visibilitychange'],
  ] as const;

  /** Applies changes to the status and announces it, unless nothing changed. */
  function update(changes: Partial<ConnectionStatus>): void {
    const before = JSON.stringify(status);
    Object.assign(status, changes);
    if (JSON.stringify(status) === before) return;
    for (const handle of handles) handle.dispatchEvent(new CustomEvent('statechange', { detail: { ...status } }));
  }

  /** Any state but `live`: no transport, and no retry planned unless `changes` says when. */
  function setState(state: Exclude<ConnectionState, 'live'>, changes?: Partial<ConnectionStatus>): void {
    update({ state, transport: null, nextRetryAt: null, ...changes });
  }

  /** Stops the current session and every timer tied to it. */
  function closeSession(): void {
    clearTimeout(waitTimer);
    clearTimeout(livenessTimer);
    clearInterval(pingTimer);
    session?.close();
    probe?.close();
    session = probe = null;
  }

  /**
   * Drops whatever is under way and connects: at once (WebSocket first, else SSE), or `later`,
   * after a backoff with full jitter that grows with each failed attempt.
   */
  function reconnect(later?: boolean): void {
    closeSession();
    if (!online) return setState('offline');
    if (later) {
      const delay = backoffDelay(attempt++, options.random, backoff.baseMs, backoff.maxMs);
      setState('reconnecting', { nextRetryAt: Date.now() + delay });
      waitTimer = setTimeout(reconnect, delay);
    } else {
      if (status.state !== 'connecting') setState('reconnecting');
      if (!token && tokenProvider) requestToken().then(() => session || reconnect(), retry);
      else session = openWebSocketSession() ?? openSse();
    }
  }

  const retry = () => reconnect(true);

  /** Undefined when there is no WebSocket, or the URL is not one it accepts (it throws then). */
  function openWebSocketSession(): Session | undefined {
    try {
      return WebSocketImpl ? openWebSocket(hubUrl, WebSocketImpl, connectTimeoutMs, receive) : undefined;
    } catch {
      return undefined;
    }
  }

  function openSse(): Session | null {
    if (!EventSourceImpl) {
      retry();
      return null;
    }
    scheduleProbe();
    return openEventSource(
      hubUrl,
      EventSourceImpl,
      fetchImpl,
      () => ({ channels: [...channels.keys()], since: streamResumePosition(), token }),
      connectTimeoutMs,
      receive,
    );
  }

  /** While on SSE, tries the WebSocket again now and then. */
  function scheduleProbe(): void {
    if (!WebSocketImpl) return;
    waitTimer = setTimeout(() => {
      probe = openWebSocketSession();
      if (!probe) scheduleProbe();
    }, webSocketRetryMs);
  }

  /**
   * An SSE stream resumes every channel from one position: the oldest of the channels' positions
   * in the hub's current epoch, so no channel misses anything (channels already past it drop the
   * duplicates). Positions of an earlier epoch cannot be resumed from at all.
   */
  function streamResumePosition(): string | undefined {
    let oldest: ChannelState | undefined;
    for (const state of channels.values()) {
      if (state.epoch === epoch && !(oldest && oldest.offset <= state.offset)) oldest = state;
    }
    return oldest?.resumePosition;
  }

  function subscribeFrame({ id, channel, resumePosition }: ChannelState): ClientFrame {
    return { op: 'subscribe', id, channel, since: resumePosition };
  }

  // A ping's id is the time it was sent, so its pong tells the round trip.
  const ping = () => session?.send({ op: 'ping', id: Math.round(performance.now()) });

  /** Refreshes the token on an open WebSocket; a stream picks it up with its next ticket. */
  const authenticate = () => token && session?.send({ op: 'auth', token });

  /** Checks for silence at the moment the allowed gap would run out after the last message. */
  function armLiveness(): void {
    clearTimeout(livenessTimer);
    const timeout =
      (session!.kind === 'sse' ? options.sseIdleTimeoutMs : options.heartbeatTimeoutMs) ?? status.heartbeatMs * 2;
    const remainingMs = status.lastMessageAt! + timeout - Date.now();
    if (remainingMs > 0) {
      livenessTimer = setTimeout(armLiveness, remainingMs);
    } else {
      // The close code tells the hub's logs why.
      session!.close(4000, 'heartbeat timeout');
      retry();
    }
  }

  /** Everything a transport session reports. Sessions already dropped are ignored. */
  function receive(from: Session, signal: SessionSignal): void {
    if (from === probe) {
      if (signal.op !== 'open') {
        probe = null;
        return scheduleProbe();
      }
      // The WebSocket works again: every channel moves over (from its resume position), SSE goes.
      session?.close();
      session = probe;
      probe = null;
    } else if (from !== session) {
      return;
    }
    const { op } = signal;
    if (op === 'closed') {
      closeSession();
      if (signal.fallBack) session = openSse();
      else if (signal.reason === 'token_expired' && tokenProvider) {
        token = undefined;
        reconnect();
      } else if (signal.reason) setState('offline', { closeReason: signal.reason });
      else retry();
      return;
    }
    if (op === 'interrupted') return setState('reconnecting');
    status.lastMessageAt = Date.now();
    if (op === 'open' || op === 'welcome') {
      const sse = from.kind === 'sse';
      if (op === 'welcome') {
        webSocketHeartbeatMs = signal.heartbeatMs;
      } else if (!sse) {
        // The hub holds back the frames that follow until it has accepted the token.
        authenticate();
        for (const state of channels.values()) from.send(subscribeFrame(state));
        ping();
        pingTimer = setInterval(ping, pingIntervalMs);
      }
      const heartbeatMs = sse ? SSE_HEARTBEAT_MS : webSocketHeartbeatMs;
      attempt = 0;
      update({
        state: 'live',
        transport: from.kind,
        nextRetryAt: null,
        closeReason: null,
        heartbeatMs,
        staleAfterMs: heartbeatMs * STALE_HEARTBEATS,
        latencyMs: sse ? null : status.latencyMs,
      });
      armLiveness();
    } else if (op === 'ping') {
      from.send({ op: 'pong' });
    } else if (op === 'pong') {
      update({ latencyMs: Math.round(performance.now()) - signal.id! });
    } else if (op === 'subscribed' || op === 'event' || op === 'error') {
      if (op === 'subscribed') epoch = parsePosition(signal.pos)?.epoch;
      const state =
        'channel' in signal
          ? channels.get(signal.channel)
          : [...channels.values()].find(({ id }) => id === signal.id);
      state?.receive(signal);
    }
  }

  function requestToken(): Promise<void> {
    const request = (tokenRequest ??= tokenProvider!()
      .then((answer) => {
        if (tokenRequest === request) useToken(answer);
      })
      .finally(() => {
        if (tokenRequest === request) tokenRequest = undefined;
      }));
    return request;
  }

  /** Adopts a token: its granted controls, and a renewal before it expires when there is a provider. */
  function useToken(answer: string): void {
    token = answer;
    const claims = decodeClaims(answer);
    update({ grantedControls: claims.controls ?? [] });
    clearTimeout(renewalTimer);
    if (!tokenProvider || !claims.exp) return;
    const remainingMs = claims.exp * 1000 - Date.now();
    renewalTimer = setTimeout(
      () => requestToken().then(authenticate, reportError),
      // At least a second apart, and within what setTimeout can wait.
      Math.min(Math.max(remainingMs - TOKEN_RENEWAL_LEAD_MS, remainingMs * 0.8, 1_000), 2 ** 31 - 1),
    );
  }

  function onEnvironmentChange({ type }: Event): void {
    if (type === 'visibilitychange') {
      if (document.visibilityState === 'visible') {
        if (status.nextRetryAt) reconnect();
        else ping();
      }
      return;
    }
    online = type === 'online';
    // Offline drops the transport at once; online connects at once unless something works already.
    if (!online || status.state !== 'live') reconnect();
  }

  for (const [target, type] of environmentEvents) target?.addEventListener?.(type, onEnvironmentChange);

  /**
   * Takes a token, or a provider to ask for one, and connects with it: refreshed in place on an
   * open WebSocket, or by connecting anew when no transport is live.
   */
  function useCredentials(newToken?: string | null, provider?: TokenProvider | null): void {
    tokenProvider = provider;
    tokenRequest = undefined;
    if (newToken) useToken(newToken);
    else if (provider) token = undefined;
    if (status.state === 'live' && token) authenticate();
    else reconnect();
  }

  const post = (path: string, body: unknown) => postJson(fetchImpl, hubUrl + path, body, token);

  /** One handle on this connection: its own event target and its own subscriptions. */
  class Handle extends EventTarget implements HubConnection {
    declare readonly state: ConnectionState;
    declare readonly transport: TransportKind | null;
    declare readonly latencyMs: number | null;
    declare readonly lastMessageAt: number | null;
    declare readonly nextRetryAt: number | null;
    declare readonly heartbeatMs: number;
    declare readonly staleAfterMs: number | null;
    declare readonly closeReason: string | null;
    declare readonly grantedControls: readonly Control[];
    readonly hubUrl = hubUrl;
    readonly #unsubscribers = new Set<() => void>();

    static {
      // Every status field reads through to the connection's status.
      for (const key of Object.keys(status) as (keyof ConnectionStatus)[]) {
        Object.defineProperty(this.prototype, key, { get: () => status[key] });
      }
    }

    constructor() {
      super();
      clearTimeout(releaseTimer);
      handles.add(this);
    }

    get status(): ConnectionStatus {
      return { ...status };
    }

    subscribe(channel: string, listener: ChannelListener): () => void {
      this.#assertActive();
      let state = channels.get(channel);
      if (!state) {
        channels.set(channel, (state = new ChannelState(channel)));
        session?.send(subscribeFrame(state));
      }
      const subscribed = state;
      const unsubscribers = this.#unsubscribers;
      const unsubscribe = () => {
        unsubscribers.delete(unsubscribe);
        // The hub subscription ends with the channel's last listener.
        if (subscribed.listeners.delete(listener) && !subscribed.listeners.size) {
          channels.delete(channel);
          session?.send({ op: 'unsubscribe', id: subscribed.id, channel });
        }
      };
      subscribed.add(listener);
      unsubscribers.add(unsubscribe);
      return unsubscribe;
    }

    jobs(channel: string): Job[] {
      return channels.get(channel)?.jobs() ?? [];
    }

    submit(body: SubmitJobBody): Promise<Job> {
      return post('/v1/jobs', body);
    }

    control(jobId: string, control: Control): Promise<Job> {
      return post(`/v1/jobs/${encodeURIComponent(jobId)}/${control}`, {});
    }

    reconnectNow(): void {
      this.#assertActive();
      reconnect();
    }

    release(): void {
      for (const unsubscribe of this.#unsubscribers) unsubscribe();
      // A short grace period lets a page that re-renders (release, then connect again) keep its socket.
      if (handles.delete(this) && !handles.size) releaseTimer = setTimeout(dispose, releaseDelayMs);
    }

    #assertActive(): void {
      if (!handles.has(this)) throw new Error(`This connection handle to ${hubUrl} was released`);
    }
  }

  function dispose(): void {
    connections.delete(hubUrl);
    // Nothing late (a token arriving, a retry) can open a transport again.
    online = false;
    tokenRequest = undefined;
    clearTimeout(renewalTimer);
    closeSession();
    for (const [target, type] of environmentEvents) target?.removeEventListener?.(type, onEnvironmentChange);
  }

  useCredentials(options.token, options.tokenProvider);
  return { Handle, useCredentials };
}

/** The claims of a JWT, read without verifying it (the hub verifies); empty if it cannot be read. */
function decodeClaims(token: string): { exp?: number; controls?: Control[] } {
  try {
    return JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}
