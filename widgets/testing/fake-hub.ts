import type { ClientFrame, ServerFrame } from '../../server/protocol/frames.ts';
import type { Control, EventBody, Job, JobEvent, JobStatus, LogLevel, Progress } from '../../server/protocol/job.ts';
import { allowedControls, type Capabilities } from '../../server/jobs/state.ts';
import { newJob } from '../../server/protocol/new-job.ts';
import { isTerminal } from '../../server/protocol/states.ts';
import { parsePosition } from '../client/channel-state.ts';
import { configureHub, normalizeHubUrl } from '../client/connection.ts';
import type { ConnectOptions, EventSourceLike, WebSocketLike } from '../client/types.ts';

/** What one update of a job changes; it becomes one event per kind, in this order. */
export interface JobChange {
  status?: JobStatus;
  phase?: string | null;
  /** Absolute progress; a number sets `current` only. */
  progress?: number | { current: number; total?: number | null; unit?: string | null };
  /** Absolute sub-progress of one part of the job, e.g. one table. */
  scope?: { name: string; current: number; total?: number | null; unit?: string | null };
  message?: string | null;
  counters?: Record<string, number>;
  log?: string | { level?: LogLevel; message: string };
  output?: string;
  stalled?: boolean;
  throttle?: string | null;
  result?: unknown;
  error?: { code: string; message: string; details?: unknown } | null;
}

export interface TimelineStep extends JobChange {
  /** Wait before this step, in milliseconds at speed 1 (counted from the previous step). */
  after?: number;
}

export interface PhaseInit {
  name: string;
  label?: string;
  weight?: number;
  irreversible?: boolean;
}

/** Any part of a job; the rest gets defaults. `controls` is derived from the status unless given. */
export type JobInit = Partial<Omit<Job, 'progress' | 'phases'>> & { progress?: Partial<Progress>; phases?: PhaseInit[] };

export interface JobTypeDefinition {
  phases?: PhaseInit[];
  /** Played when a job of this type is submitted or retried. */
  timeline: TimelineStep[];
}

/** A rule that makes matching control requests fail with an error body. */
export interface ControlRefusal {
  control?: Control;
  jobId?: string;
  /** HTTP status, 409 by default. */
  status?: number;
  code?: string;
  message?: string;
}

export interface FakeHubOptions {
  epoch?: string;
  /** Interval of the hub's WebSocket pings, announced in `welcome`. Default 25 000. */
  heartbeatMs?: number;
  /** Round-trip time added to every frame, message and request. Default 0. */
  latencyMs?: number;
  /** Timeline speed factor. Default 1. */
  speed?: number;
  /** Events kept for resuming. Default 1 000. */
  historyLimit?: number;
  /** How soon a fake EventSource reconnects by itself after an interruption. Default 1 000. */
  sseRetryMs?: number;
  /** Connection options registered along with the fake transports (timings, backoff). */
  connectOptions?: Omit<ConnectOptions, 'WebSocket' | 'EventSource' | 'fetch'>;
  /**
   * Runs as a hub with `AUTH=jwt`: WebSockets must send an `auth` frame first (else 4401) and are
   * closed with 4402 when the token expires unrefreshed, streams need a ticket, REST needs
   * `Authorization: Bearer`, and controls the token does not grant answer 403 `forbidden`. Tokens
   * are read, not verified: mint them with `unsignedToken`. Default false.
   */
  auth?: boolean;
}

/** The claims the fake reads from a token; a grant left out grants nothing, as on the hub. */
export interface FakeTokenClaims {
  sub?: string;
  /** Expiry, in seconds since the epoch. */
  exp: number;
  channels?: string[];
  submit?: string[];
  controls?: Control[];
  labels?: Record<string, string>;
}

/** A JWT with these claims and no valid signature: only the fake hub accepts it. */
export function unsignedToken(claims: FakeTokenClaims): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.unsigned`;
}

export interface ReceivedFrame {
  transport: 'websocket';
  frame: ClientFrame;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  body: unknown;
  /** The `Authorization` header, if any. */
  authorization: string | null;
}

const CHANNEL_PATTERN = /^(jobs|jobs:[A-Za-z0-9._-]{1,64}|job:[A-Za-z0-9._-]{1,128})$/;
const CONTROL_NAMES: readonly string[] = ['cancel', 'pause', 'resume', 'retry', 'rollback'];
/** Virtual milliseconds between a cancel or rollback request and its end state. */
const WIND_DOWN_MS = 400;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Dispatches an event and calls the matching `on<type>` handler, as browsers do. */
function fire(target: EventTarget, event: Event): void {
  target.dispatchEvent(event);
  const handler = (target as unknown as Record<string, unknown>)[`on${event.type}`];
  if (typeof handler === 'function') handler.call(target, event);
}

/** Delivers callbacks after a delay, in order even if the latency changes meanwhile. */
class Pipe {
  private lastAt = 0;

  constructor(private readonly delayMs: () => number) {}

  send(deliver: () => void): void {
    const at = Math.max(Date.now() + this.delayMs(), this.lastAt);
    this.lastAt = at;
    setTimeout(deliver, at - Date.now());
  }
}

/** A timer in the hub's virtual time: pausable and rescaled when the speed changes. */
class VirtualTimer {
  private remainingMs: number;
  private armedAt = 0;
  private handle: ReturnType<typeof setTimeout> | undefined;
  private paused = false;

  constructor(
    private readonly hub: FakeHub,
    private readonly timers: Set<VirtualTimer>,
    virtualMs: number,
    private readonly callback: () => void,
  ) {
    this.remainingMs = virtualMs;
    timers.add(this);
    this.arm();
  }

  pause(): void {
    if (this.paused || !this.handle) return;
    this.remainingMs = Math.max(0, this.remainingMs - (Date.now() - this.armedAt) * this.hub.speed);
    clearTimeout(this.handle);
    this.handle = undefined;
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.arm();
  }

  rescale(previousSpeed: number): void {
    if (!this.handle) return;
    this.remainingMs = Math.max(0, this.remainingMs - (Date.now() - this.armedAt) * previousSpeed);
    clearTimeout(this.handle);
    this.arm();
  }

  cancel(): void {
    clearTimeout(this.handle);
    this.handle = undefined;
    this.timers.delete(this);
  }

  private arm(): void {
    this.armedAt = Date.now();
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.timers.delete(this);
      this.callback();
    }, this.remainingMs / this.hub.speed);
  }
}

/** A timeline being played on one job. */
export class TimelinePlayback {
  private index = 0;
  private timer: VirtualTimer | null = null;
  private stopped = false;
  private isPaused = false;
  private resolveFinished!: () => void;
  /** Resolves when the last step has been applied (never, if stopped first). */
  readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));

  constructor(
    private readonly hub: FakeHub,
    private readonly startTimer: (virtualMs: number, callback: () => void) => VirtualTimer,
    readonly jobId: string,
    private readonly steps: readonly TimelineStep[],
  ) {
    this.next();
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Freezes the timeline where it is, including the time already waited for the next step. */
  pause(): void {
    this.isPaused = true;
    this.timer?.pause();
  }

  resume(): void {
    this.isPaused = false;
    this.timer?.resume();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private next(): void {
    const step = this.steps[this.index];
    if (!step) {
      this.timer = null;
      this.resolveFinished();
      return;
    }
    const { after = 0, ...change } = step;
    this.timer = this.startTimer(after, () => {
      if (this.stopped || !this.hub.job(this.jobId)) return;
      this.index += 1;
      this.hub.update(this.jobId, change);
      this.next();
    });
    if (this.isPaused) this.timer.pause();
  }
}

/** The fake's WebSocket, as the client sees it. */
export class FakeWebSocket extends EventTarget implements WebSocketLike {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readyState = CONNECTING;
  readonly protocol = '';
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  private readonly peer: SocketPeer;

  constructor(
    readonly url: string,
    accept: (socket: FakeWebSocket) => SocketPeer,
  ) {
    super();
    this.peer = accept(this);
  }

  send(data: string): void {
    if (this.readyState === CONNECTING) throw new DOMException('Still in CONNECTING state.', 'InvalidStateError');
    if (this.readyState === OPEN) this.peer.fromClient(data);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    const wasOpen = this.readyState === OPEN;
    this.readyState = CLOSING;
    this.peer.clientClosed();
    setTimeout(() => {
      this.readyState = CLOSED;
      fire(this, new CloseEvent('close', { code: wasOpen ? code : 1006, reason, wasClean: wasOpen }));
    });
  }
}

/** The fake's EventSource, as the client sees it. */
export class FakeEventSource extends EventTarget implements EventSourceLike {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSED = 2;
  readyState = CONNECTING;
  readonly withCredentials = false;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  /** The id of the last message, sent back as Last-Event-ID when reconnecting by itself. */
  lastEventId = '';
  private readonly onClose: () => void;

  constructor(
    readonly url: string,
    accept: (source: FakeEventSource) => () => void,
  ) {
    super();
    this.onClose = accept(this);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.onClose();
  }
}

interface SocketPeer {
  fromClient(data: string): void;
  clientClosed(): void;
}

interface OpenSocket {
  client: FakeWebSocket;
  subscriptions: Set<string>;
  down: Pipe;
  heartbeat: ReturnType<typeof setInterval> | undefined;
  /** The accepted token's claims (auth mode). */
  claims?: FakeTokenClaims;
  expiry?: ReturnType<typeof setTimeout>;
}

interface OpenStream {
  client: FakeEventSource;
  channels: string[];
  since: string | undefined;
  down: Pipe;
  /** The claims behind the stream's ticket (auth mode). */
  claims?: FakeTokenClaims;
}

type ChannelOpening =
  | { snapshot: Job | Job[]; recovered: boolean; pos: string; replay: JobEvent[] }
  | { error: { code: string; message: string } };

/**
 * An in-browser hub for tests and stories. It speaks the hub's protocol (WebSocket frames, SSE
 * messages, REST) through fake `WebSocket`, `EventSource` and `fetch` implementations, keeps jobs
 * and an event history with real positions, plays scripted timelines, and simulates the network
 * going wrong: dropped connections, a refused WebSocket, an unreachable or silent hub, latency,
 * refused controls.
 *
 * Creating one registers it for its URL (see `configureHub`), so any widget pointed at that URL
 * uses it with no network:
 *
 * ```ts
 * const hub = new FakeHub('fake://demo');
 * const job = hub.createJob({ type: 'export', status: 'running' });
 * hub.play(job.id, [
 *   { after: 500, progress: { current: 10, total: 100, unit: 'rows' } },
 *   { after: 500, progress: 100, status: 'completed' },
 * ]);
 * document.body.innerHTML = `<jobcast-hub hub="fake://demo"><job-progress job-id="${job.id}"></job-progress></jobcast-hub>`;
 * ```
 *
 * Create it before anything connects to its URL: a connection keeps the transports it was
 * opened with.
 */
export class FakeHub {
  readonly hubUrl: string;
  /** Inject as `connect(url, { WebSocket })`; registered for `hubUrl` already. */
  readonly WebSocket: new (url: string) => FakeWebSocket;
  readonly EventSource: new (url: string) => FakeEventSource;
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

  epoch: string;
  heartbeatMs: number;
  /** Round-trip time of the fake network; half of it each way. */
  latencyMs: number;
  /** WebSocket handshakes fail, as behind a proxy that blocks them; SSE and REST still work. */
  refuseWebSocket = false;
  /** Every connection attempt and request fails at once. */
  unreachable = false;
  /** The hub sends nothing and completes no handshake: a black hole, like a dead TCP path. */
  silent = false;
  /** Runs as a hub with `AUTH=jwt` (see `FakeHubOptions.auth`). */
  auth: boolean;

  /** Every WebSocket frame the hub received, in order. */
  readonly received: ReceivedFrame[] = [];
  /** Every REST request the hub received. */
  readonly requests: ReceivedRequest[] = [];
  /** The URL of every WebSocket the client tried to open. */
  readonly webSocketUrls: string[] = [];
  /** The URL of every EventSource the client created (its own reconnects reuse it). */
  readonly streamUrls: string[] = [];

  private speedFactor: number;
  private readonly historyLimit: number;
  private readonly sseRetryMs: number;
  private readonly jobsById = new Map<string, Job>();
  private history: JobEvent[] = [];
  private offset = 0;
  private jobCounter = 0;
  private readonly sockets = new Set<OpenSocket>();
  private readonly streams = new Set<OpenStream>();
  private readonly timers = new Set<VirtualTimer>();
  private readonly playbacks = new Map<string, TimelinePlayback>();
  private readonly timelines = new Map<string, readonly TimelineStep[]>();
  private readonly definitions = new Map<string, JobTypeDefinition>();
  private refusals: ControlRefusal[] = [];
  private readonly progressSamples = new Map<string, { current: number; at: number }>();
  private virtualBase = 0;
  private virtualSince = Date.now();
  private readonly unregister: () => void;
  /** Unused SSE tickets and the claims of the token each was issued for. */
  private readonly tickets = new Map<string, FakeTokenClaims>();

  constructor(hubUrl = 'fake://demo', options: FakeHubOptions = {}) {
    this.hubUrl = normalizeHubUrl(hubUrl);
    this.epoch = options.epoch ?? randomEpoch();
    this.heartbeatMs = options.heartbeatMs ?? 25_000;
    this.latencyMs = options.latencyMs ?? 0;
    this.speedFactor = options.speed ?? 1;
    this.historyLimit = options.historyLimit ?? 1_000;
    this.sseRetryMs = options.sseRetryMs ?? 1_000;
    this.auth = options.auth ?? false;
    const acceptSocket = (socket: FakeWebSocket) => this.acceptWebSocket(socket);
    const acceptStream = (source: FakeEventSource) => this.acceptEventSource(source);
    this.WebSocket = class extends FakeWebSocket {
      constructor(url: string) {
        super(url, acceptSocket);
      }
    };
    this.EventSource = class extends FakeEventSource {
      constructor(url: string) {
        super(url, acceptStream);
      }
    };
    this.fetch = (input, init) => this.handleRequest(input, init);
    this.unregister = configureHub(this.hubUrl, {
      ...options.connectOptions,
      WebSocket: this.WebSocket,
      EventSource: this.EventSource,
      fetch: this.fetch,
    });
  }

  /** Timeline speed: 2 plays twice as fast. Changing it keeps the progress of pending waits. */
  get speed(): number {
    return this.speedFactor;
  }
  set speed(speed: number) {
    if (!(speed > 0)) throw new RangeError('speed must be positive');
    const previous = this.speedFactor;
    this.virtualBase = this.virtualNow();
    this.virtualSince = Date.now();
    this.speedFactor = speed;
    for (const timer of this.timers) timer.rescale(previous);
  }

  /** Open connections right now, per transport. */
  get openConnections(): { websocket: number; sse: number } {
    return { websocket: this.sockets.size, sse: this.streams.size };
  }

  // ---- jobs -------------------------------------------------------------------------------

  job(id: string): Job | undefined {
    const job = this.jobsById.get(id);
    return job && structuredClone(job);
  }

  jobs(): Job[] {
    return [...this.jobsById.values()].map((job) => structuredClone(job));
  }

  /** Creates a job in any state and publishes its `created` event. */
  createJob(init: JobInit = {}): Job {
    const now = new Date().toISOString();
    const id = init.id ?? `job-${++this.jobCounter}`;
    const { progress, phases, ...rest } = init;
    const job: Job = newJob({
      id,
      type: 'demo',
      ...rest,
      seq: (init.seq ?? 1) - 1,
      phases: (phases ?? []).map((phase) => ({ ...phase, irreversible: phase.irreversible ?? false })),
      progress: { current: 0, total: null, unit: null, percent: null, rate: null, etaSeconds: null, ...progress },
    });
    if (job.status !== 'queued') job.startedAt ??= now;
    if (isTerminal(job.status)) job.finishedAt ??= now;
    if (!init.controls) job.controls = allowedControls(job, capabilitiesOf(job));
    this.jobsById.set(id, job);
    this.publish(job, { kind: 'created' });
    return structuredClone(job);
  }

  /** Forgets a job without an event, as retention does; later snapshots no longer have it. */
  removeJob(id: string): void {
    this.playbacks.get(id)?.stop();
    this.playbacks.delete(id);
    this.jobsById.delete(id);
  }

  /**
   * Applies a change now: one event per kind that changed (status, phase, progress, log,
   * output, stalled, throttle; a terminal status comes last), each carrying the job's full
   * state after it. Fields with no
   * event of their own (result, error, message, counters) ride on the first event, or on a
   * `progress` event when nothing else changed.
   */
  update(jobId: string, change: JobChange): JobEvent[] {
    const job = this.jobsById.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    const now = new Date().toISOString();
    const bodies: Array<() => EventBody> = [];

    if (change.result !== undefined) job.result = change.result;
    if (change.error !== undefined) job.error = change.error;
    if (change.message !== undefined) job.message = change.message;
    if (change.counters) job.counters = { ...job.counters, ...change.counters };

    let statusBody: (() => EventBody) | undefined;
    if (change.status !== undefined && change.status !== job.status) {
      const status = change.status;
      statusBody = () => {
        const from = job.status;
        job.status = status;
        if (status === 'running') job.startedAt ??= now;
        job.finishedAt = isTerminal(status) ? now : null;
        return { kind: 'status', status, from };
      };
      // A job starts before it reports, and reports its last values before it ends.
      if (!isTerminal(status)) bodies.push(statusBody);
    }
    if (change.phase !== undefined && change.phase !== job.phase) {
      const phase = change.phase;
      bodies.push(() => {
        const from = job.phase;
        job.phase = phase;
        return { kind: 'phase', phase, from };
      });
    }
    if (change.progress !== undefined || change.scope) {
      bodies.push(() => {
        if (change.progress !== undefined) job.progress = this.nextProgress(job, change.progress);
        if (change.scope) job.scopes = upsertScope(job.scopes, change.scope);
        return { kind: 'progress' };
      });
    }
    if (change.log !== undefined) {
      const log = typeof change.log === 'string' ? { message: change.log } : change.log;
      bodies.push(() => ({ kind: 'log', level: log.level ?? 'info', message: log.message }));
    }
    if (change.output !== undefined) {
      const chunk = change.output;
      bodies.push(() => {
        job.output = (job.output ?? '') + chunk;
        return { kind: 'output', chunk };
      });
    }
    if (change.stalled !== undefined && change.stalled !== job.stalled) {
      const stalled = change.stalled;
      bodies.push(() => {
        job.stalled = stalled;
        return { kind: 'stalled', stalled };
      });
    }
    if (change.throttle !== undefined && change.throttle !== job.throttle) {
      const reason = change.throttle;
      bodies.push(() => {
        job.throttle = reason;
        return { kind: 'throttle', reason };
      });
    }
    if (statusBody && isTerminal(change.status!)) bodies.push(statusBody);
    if (bodies.length === 0) bodies.push(() => ({ kind: 'progress' }));

    return bodies.map((body) => {
      const eventBody = body();
      job.updatedAt = now;
      job.controls = allowedControls(job, capabilitiesOf(job));
      return this.publish(job, eventBody);
    });
  }

  /** Plays a timeline on a job, replacing any timeline it was playing. */
  play(jobId: string, steps: readonly TimelineStep[]): TimelinePlayback {
    this.playbacks.get(jobId)?.stop();
    const playback = new TimelinePlayback(
      this,
      (virtualMs, callback) => new VirtualTimer(this, this.timers, virtualMs, callback),
      jobId,
      steps,
    );
    this.playbacks.set(jobId, playback);
    this.timelines.set(jobId, steps);
    return playback;
  }

  /** The timeline playing on a job, if any. */
  playback(jobId: string): TimelinePlayback | undefined {
    return this.playbacks.get(jobId);
  }

  /** Pauses every timeline (the whole hub's clock). */
  pauseAll(): void {
    for (const playback of this.playbacks.values()) playback.pause();
  }

  resumeAll(): void {
    for (const playback of this.playbacks.values()) playback.resume();
  }

  /** Registers a job type for `POST /v1/jobs`: its phases and the timeline its jobs play. */
  defineJobType(type: string, definition: JobTypeDefinition): void {
    this.definitions.set(type, definition);
  }

  // ---- network ----------------------------------------------------------------------------

  /** Drops every connection, as a network cut or a hub crash does (WebSocket close `code`). */
  disconnect(code = 1006): void {
    for (const socket of [...this.sockets]) {
      this.sockets.delete(socket);
      clearInterval(socket.heartbeat);
      socket.client.readyState = CLOSED;
      if (code === 1006) fire(socket.client, new Event('error'));
      fire(socket.client, new CloseEvent('close', { code, wasClean: code !== 1006 }));
    }
    for (const stream of [...this.streams]) this.interruptStream(stream);
  }

  /** The browser goes offline: the hub becomes unreachable and the page hears `offline`. */
  goOffline(): void {
    this.unreachable = true;
    this.disconnect();
    globalThis.dispatchEvent(new Event('offline'));
  }

  goOnline(): void {
    this.unreachable = false;
    globalThis.dispatchEvent(new Event('online'));
  }

  /**
   * A restart of a hub with the memory engine: a new epoch and an empty history, so no client
   * can resume (they get `recovered: false`). Jobs are kept unless `keepJobs` is false.
   */
  restart({ keepJobs = true }: { keepJobs?: boolean } = {}): void {
    this.epoch = randomEpoch();
    this.history = [];
    this.offset = 0;
    if (!keepJobs) {
      for (const playback of this.playbacks.values()) playback.stop();
      this.playbacks.clear();
      this.jobsById.clear();
    }
    this.disconnect(1012);
  }

  /** Forgets the event history, so resuming from any earlier position is impossible. */
  trimHistory(): void {
    this.history = [];
  }

  /** Sends a heartbeat ping to every WebSocket now. */
  pingClients(): void {
    for (const socket of this.sockets) this.sendFrame(socket, { op: 'ping' });
    for (const stream of this.streams) this.sendMessage(stream, 'ping', {});
  }

  /** Makes matching control requests fail (409 by default). Returns a function that lifts the rule. */
  refuseControls(refusal: ControlRefusal = {}): () => void {
    this.refusals.push(refusal);
    return () => {
      this.refusals = this.refusals.filter((rule) => rule !== refusal);
    };
  }

  /** Stops timelines, drops connections for good and unregisters the fake from its URL. */
  dispose(): void {
    for (const timer of [...this.timers]) timer.cancel();
    for (const playback of this.playbacks.values()) playback.stop();
    this.unreachable = true;
    this.disconnect(1001);
    this.unregister();
  }

  // ---- protocol ---------------------------------------------------------------------------

  private publish(job: Job, body: EventBody): JobEvent {
    job.seq += 1;
    const offset = ++this.offset;
    const event = { jobId: job.id, seq: job.seq, offset, ts: job.updatedAt, job: structuredClone(job), ...body } as JobEvent;
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.shift();
    const pos = this.position(offset);
    for (const socket of this.sockets) {
      for (const channel of socket.subscriptions) {
        if (matches(channel, job)) this.sendFrame(socket, { op: 'event', channel, pos, event });
      }
    }
    for (const stream of this.streams) {
      for (const channel of new Set(stream.channels)) {
        if (matches(channel, job)) this.sendMessage(stream, 'job', { channel, pos, event }, pos);
      }
    }
    return event;
  }

  private openChannel(channel: string, since: string | undefined, claims: FakeTokenClaims | undefined): ChannelOpening {
    if (!CHANNEL_PATTERN.test(channel)) {
      return { error: { code: 'unknown_channel', message: `expected job:<id>, jobs or jobs:<type>, got ${channel}` } };
    }
    if (this.auth && !grantsChannel(claims?.channels ?? [], channel)) {
      return { error: { code: 'forbidden', message: `the token does not grant ${channel}` } };
    }
    let snapshot: Job | Job[];
    if (channel.startsWith('job:')) {
      const job = this.jobsById.get(channel.slice(4));
      if (!job) return { error: { code: 'not_found', message: `no job ${channel.slice(4)}` } };
      snapshot = structuredClone(job);
    } else {
      snapshot = [...this.jobsById.values()].filter((job) => matches(channel, job)).map((job) => structuredClone(job));
    }
    const from = since ? parsePosition(since) : undefined;
    const oldestKept = this.history[0]?.offset ?? this.offset + 1;
    const recovered =
      from !== undefined && from.epoch === this.epoch && from.offset <= this.offset && from.offset + 1 >= oldestKept;
    const replay = recovered
      ? this.history.filter((event) => event.offset > from.offset && matches(channel, event.job))
      : [];
    return { snapshot, recovered, pos: this.position(this.offset), replay };
  }

  private acceptWebSocket(client: FakeWebSocket): SocketPeer {
    this.webSocketUrls.push(client.url);
    const socket: OpenSocket = { client, subscriptions: new Set(), down: this.pipe(), heartbeat: undefined };
    const up = this.pipe();
    socket.down.send(() => {
      if (client.readyState !== CONNECTING || this.silent) return;
      if (this.unreachable || this.refuseWebSocket || !isPath(client.url, this.hubUrl, '/v1/ws')) {
        client.readyState = CLOSED;
        fire(client, new Event('error'));
        fire(client, new CloseEvent('close', { code: 1006, wasClean: false }));
        return;
      }
      client.readyState = OPEN;
      this.sockets.add(socket);
      fire(client, new Event('open'));
      this.sendFrame(socket, { op: 'welcome', epoch: this.epoch, heartbeatMs: this.heartbeatMs, maxFrameBytes: 1_048_576 });
      socket.heartbeat = setInterval(() => this.sendFrame(socket, { op: 'ping' }), this.heartbeatMs);
    });
    return {
      fromClient: (data) => up.send(() => this.receiveFrame(socket, data)),
      clientClosed: () => {
        this.sockets.delete(socket);
        clearInterval(socket.heartbeat);
        clearTimeout(socket.expiry);
      },
    };
  }

  private receiveFrame(socket: OpenSocket, data: string): void {
    if (this.silent || !this.sockets.has(socket)) return;
    let frame: ClientFrame;
    try {
      frame = JSON.parse(data) as ClientFrame;
    } catch {
      this.sendFrame(socket, { op: 'error', code: 'invalid_frame', message: 'frames are JSON objects' });
      return;
    }
    this.received.push({ transport: 'websocket', frame });
    if (frame.op === 'auth') {
      this.authenticate(socket, frame.token, frame.id);
      return;
    }
    if (this.auth && !socket.claims) {
      this.sendFrame(socket, { op: 'error', code: 'unauthorized', message: 'the first frame must be auth' });
      this.closeSocket(socket, 4401, 'unauthorized');
      return;
    }
    switch (frame.op) {
      case 'subscribe': {
        const opening = this.openChannel(frame.channel, frame.since, socket.claims);
        if ('error' in opening) {
          this.sendFrame(socket, { op: 'error', id: frame.id, ...opening.error });
          return;
        }
        socket.subscriptions.add(frame.channel);
        const { snapshot, recovered, pos, replay } = opening;
        this.sendFrame(socket, { op: 'subscribed', id: frame.id, channel: frame.channel, snapshot, recovered, pos });
        for (const event of replay) {
          this.sendFrame(socket, { op: 'event', channel: frame.channel, pos: this.position(event.offset), event });
        }
        return;
      }
      case 'unsubscribe':
        socket.subscriptions.delete(frame.channel);
        this.sendFrame(socket, { op: 'unsubscribed', id: frame.id, channel: frame.channel });
        return;
      case 'ping':
        this.sendFrame(socket, frame.id === undefined ? { op: 'pong' } : { op: 'pong', id: frame.id });
        return;
      case 'pong':
        return;
      default:
        this.sendFrame(socket, { op: 'error', code: 'unknown_op', message: 'unknown op' });
    }
  }

  /** The `auth` frame: accepts the token (first or refreshed) and closes with 4402 when it expires. */
  private authenticate(socket: OpenSocket, token: string, id: number | undefined): void {
    if (!this.auth) {
      this.sendFrame(socket, { op: 'error', id, code: 'invalid_frame', message: 'auth is off' });
      return;
    }
    const claims = readToken(token);
    if (!claims) {
      this.sendFrame(socket, { op: 'error', id, code: 'unauthorized', message: 'invalid or expired token' });
      if (!socket.claims) this.closeSocket(socket, 4401, 'unauthorized');
      return;
    }
    if (socket.claims && JSON.stringify(socket.claims.labels ?? {}) !== JSON.stringify(claims.labels ?? {})) {
      this.sendFrame(socket, { op: 'error', id, code: 'forbidden', message: 'a refresh cannot change labels' });
      return;
    }
    socket.claims = claims;
    clearTimeout(socket.expiry);
    socket.expiry = setTimeout(() => this.closeSocket(socket, 4402, 'token_expired'), claims.exp * 1000 - Date.now());
    const expiresAt = new Date(claims.exp * 1000).toISOString();
    this.sendFrame(socket, id === undefined ? { op: 'authed', expiresAt } : { op: 'authed', id, expiresAt });
  }

  /** The hub closes one socket with `code`, after the frames already on their way. */
  private closeSocket(socket: OpenSocket, code: number, reason: string): void {
    socket.down.send(() => {
      if (!this.sockets.delete(socket)) return;
      clearInterval(socket.heartbeat);
      clearTimeout(socket.expiry);
      socket.client.readyState = CLOSED;
      fire(socket.client, new CloseEvent('close', { code, reason, wasClean: true }));
    });
  }

  private sendFrame(socket: OpenSocket, frame: ServerFrame): void {
    if (this.silent) return;
    const data = JSON.stringify(frame);
    socket.down.send(() => {
      if (socket.client.readyState === OPEN && this.sockets.has(socket)) fire(socket.client, new MessageEvent('message', { data }));
    });
  }

  private acceptEventSource(client: FakeEventSource): () => void {
    this.streamUrls.push(client.url);
    const url = new URL(client.url);
    const stream: OpenStream = {
      client,
      channels: url.searchParams.getAll('channel'),
      since: url.searchParams.get('since') ?? undefined,
      down: this.pipe(),
    };
    this.connectStream(stream);
    return () => this.streams.delete(stream);
  }

  private connectStream(stream: OpenStream): void {
    const { client } = stream;
    stream.down.send(() => {
      if (client.readyState === FakeEventSource.CLOSED || this.silent) return;
      if (this.unreachable) {
        // A failed (re)connection: the browser reports it and tries again later.
        fire(client, new Event('error'));
        setTimeout(() => this.connectStream(stream), this.sseRetryMs);
        return;
      }
      if (!isPath(client.url, this.hubUrl, '/v1/stream') || stream.channels.length === 0 || !this.redeemTicket(stream)) {
        // An HTTP error answer (the hub wants at least one channel, and a ticket in auth mode): the browser gives up.
        client.readyState = FakeEventSource.CLOSED;
        fire(client, new Event('error'));
        return;
      }
      client.readyState = OPEN;
      this.streams.add(stream);
      fire(client, new Event('open'));
      // As the hub does: the URL's `since` wins over the Last-Event-ID of the browser's reconnect.
      const since = stream.since ?? (client.lastEventId || undefined);
      // Snapshots and replays carry no id: only once every channel is live does an id mark a
      // position that resumes all of them.
      for (const channel of [...new Set(stream.channels)]) {
        const opening = this.openChannel(channel, since, stream.claims);
        if ('error' in opening) {
          this.sendMessage(stream, 'error', { channel, ...opening.error });
          continue;
        }
        const { snapshot, recovered, pos, replay } = opening;
        this.sendMessage(stream, 'snapshot', { channel, snapshot, recovered, pos });
        for (const event of replay) this.sendMessage(stream, 'job', { channel, pos: this.position(event.offset), event });
      }
      this.sendMessage(stream, null, null, this.position(this.offset));
    });
  }

  /** Auth mode: the stream's ticket must be unused and its token unexpired; it is spent either way. */
  private redeemTicket(stream: OpenStream): boolean {
    if (!this.auth) return true;
    const ticket = new URL(stream.client.url).searchParams.get('ticket') ?? '';
    const claims = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    stream.claims = claims;
    return claims !== undefined && claims.exp * 1000 > Date.now();
  }

  private interruptStream(stream: OpenStream): void {
    this.streams.delete(stream);
    const { client } = stream;
    if (client.readyState === FakeEventSource.CLOSED) return;
    client.readyState = CONNECTING;
    fire(client, new Event('error'));
    setTimeout(() => this.connectStream(stream), this.sseRetryMs);
  }

  /** An SSE message; one with only an `id` sets Last-Event-ID without dispatching anything. */
  private sendMessage(stream: OpenStream, type: string | null, body: unknown, id?: string): void {
    if (this.silent) return;
    const data = JSON.stringify(body);
    stream.down.send(() => {
      const { client } = stream;
      if (client.readyState !== OPEN || !this.streams.has(stream)) return;
      if (id !== undefined) client.lastEventId = id;
      if (type) fire(client, new MessageEvent(type, { data, lastEventId: client.lastEventId }));
    });
  }

  // ---- REST -------------------------------------------------------------------------------

  private async handleRequest(input: string | URL | Request, init: RequestInit | undefined): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (this.unreachable) throw new TypeError('Failed to fetch');
    // A black hole never answers.
    if (this.silent) await new Promise(() => {});
    const path = url.href.slice(this.hubUrl.length).split('?')[0] ?? '';
    let body: unknown;
    try {
      body = typeof init?.body === 'string' && init.body ? JSON.parse(init.body) : undefined;
    } catch {
      return errorResponse(400, 'bad_json', 'the body is not JSON');
    }
    const authorization = new Headers(init?.headers).get('authorization');
    this.requests.push({ method, path, body, authorization });

    if (method === 'GET' && path === '/healthz') return jsonResponse(200, { status: 'ok' });
    const claims = readToken(authorization?.replace(/^Bearer /, '') ?? '');
    if (this.auth && !claims) return errorResponse(401, 'unauthorized', 'a valid bearer token is required');
    if (method === 'POST' && path === '/v1/tickets' && claims) {
      const ticket = crypto.randomUUID();
      this.tickets.set(ticket, claims);
      return jsonResponse(201, { ticket, expiresAt: new Date(Math.min(Date.now() + 30_000, claims.exp * 1000)).toISOString() });
    }
    if (method === 'POST' && path === '/v1/jobs') {
      const submitted = body as { type?: string; input?: unknown; key?: string; labels?: Record<string, string> };
      if (this.auth && !claims?.submit?.some((grant) => grant === '*' || grant === submitted?.type)) {
        return errorResponse(403, 'forbidden', `the token may not submit ${submitted?.type} jobs`);
      }
      return this.submit(submitted);
    }
    const jobRoute = /^\/v1\/jobs\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
    const job = jobRoute ? this.jobsById.get(decodeURIComponent(jobRoute[1]!)) : undefined;
    const control = jobRoute?.[2];
    if (jobRoute && method === 'GET' && !control) {
      return job ? jsonResponse(200, job) : errorResponse(404, 'not_found', `no job ${jobRoute[1]}`);
    }
    if (jobRoute && method === 'POST' && control && CONTROL_NAMES.includes(control)) {
      if (!job) return errorResponse(404, 'not_found', `no job ${jobRoute[1]}`);
      if (this.auth && !claims?.controls?.includes(control as Control)) {
        return errorResponse(403, 'forbidden', `the token does not grant ${control}`);
      }
      return this.control(job, control as Control);
    }
    return errorResponse(404, 'not_found', `no route ${method} ${path}`);
  }

  private submit(body: { type?: string; input?: unknown; key?: string; labels?: Record<string, string> } | undefined): Response {
    if (!body?.type) return errorResponse(400, 'invalid_body', 'type is required');
    if (body.key) {
      const existing = [...this.jobsById.values()].find((job) => job.key === body.key);
      if (existing) return jsonResponse(200, existing);
    }
    const definition = this.definitions.get(body.type);
    if (!definition) return errorResponse(400, 'unknown_job_type', `no job type ${body.type}`);
    const job = this.createJob({
      type: body.type,
      input: body.input ?? null,
      key: body.key ?? null,
      labels: body.labels ?? {},
      phases: definition.phases,
    });
    this.play(job.id, definition.timeline);
    return jsonResponse(201, job);
  }

  private control(job: Job, control: Control): Response {
    const refusal = this.refusals.find(
      (rule) => (rule.control === undefined || rule.control === control) && (rule.jobId === undefined || rule.jobId === job.id),
    );
    if (refusal) {
      return errorResponse(
        refusal.status ?? 409,
        refusal.code ?? 'conflict',
        refusal.message ?? `cannot ${control} job ${job.id} now`,
      );
    }
    if (!job.controls.includes(control)) {
      const code = isTerminal(job.status) ? 'job_finished' : 'conflict';
      return errorResponse(409, code, `cannot ${control} a ${job.status} job`);
    }
    const playback = this.playbacks.get(job.id);
    switch (control) {
      case 'pause':
        playback?.pause();
        this.update(job.id, { status: 'paused' });
        break;
      case 'resume':
        this.update(job.id, { status: 'running' });
        playback?.resume();
        break;
      case 'cancel':
        this.windDown(job.id, 'cancelling', 'cancelled');
        break;
      case 'rollback':
        this.windDown(job.id, 'rolling_back', 'rolled_back');
        break;
      case 'retry':
        this.retry(job);
        break;
    }
    return jsonResponse(200, this.jobsById.get(job.id));
  }

  private windDown(jobId: string, during: JobStatus, end: JobStatus): void {
    this.playbacks.get(jobId)?.stop();
    this.update(jobId, { status: during });
    new VirtualTimer(this, this.timers, WIND_DOWN_MS, () => {
      if (this.jobsById.has(jobId)) this.update(jobId, { status: end });
    });
  }

  private retry(job: Job): void {
    job.attempt += 1;
    job.progress = { current: 0, total: job.progress.total, unit: job.progress.unit, percent: null, rate: null, etaSeconds: null };
    job.scopes = [];
    job.error = null;
    job.result = null;
    job.output = null;
    job.stalled = false;
    this.progressSamples.delete(job.id);
    this.update(job.id, { status: 'queued', phase: null });
    const timeline = this.definitions.get(job.type)?.timeline ?? this.timelines.get(job.id);
    if (timeline) this.play(job.id, timeline);
  }

  // ---- helpers ----------------------------------------------------------------------------

  private nextProgress(job: Job, change: NonNullable<JobChange['progress']>): Progress {
    const next = typeof change === 'number' ? { current: change } : change;
    const total = next.total !== undefined ? next.total : job.progress.total;
    const unit = next.unit !== undefined ? next.unit : job.progress.unit;
    const now = this.virtualNow();
    const sample = this.progressSamples.get(job.id);
    const rate =
      sample && now > sample.at && next.current >= sample.current
        ? ((next.current - sample.current) * 1000) / (now - sample.at)
        : job.progress.rate;
    this.progressSamples.set(job.id, { current: next.current, at: now });
    return {
      current: next.current,
      total,
      unit,
      percent: total ? Math.min(100, (next.current / total) * 100) : null,
      rate,
      etaSeconds: rate && total !== null ? Math.max(0, (total - next.current) / rate) : null,
    };
  }

  private virtualNow(): number {
    return this.virtualBase + (Date.now() - this.virtualSince) * this.speedFactor;
  }

  private position(offset: number): string {
    return `${this.epoch}:${offset}`;
  }

  private pipe(): Pipe {
    return new Pipe(() => this.latencyMs / 2);
  }
}

function matches(channel: string, job: Job): boolean {
  return channel === 'jobs' || channel === `job:${job.id}` || channel === `jobs:${job.type}`;
}

/** The token's claims if it reads as a JWT and has not expired (the fake checks no signature). */
function readToken(token: string): FakeTokenClaims | undefined {
  try {
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as FakeTokenClaims;
    return claims.exp * 1000 > Date.now() ? claims : undefined;
  } catch {
    return undefined;
  }
}

/** A channel grant: the channel itself, `*`, or `job:*` / `jobs:*` for every channel of that form. */
function grantsChannel(grants: string[], channel: string): boolean {
  return grants.some((grant) => grant === '*' || grant === channel || (grant.endsWith(':*') && channel.startsWith(grant.slice(0, -1))));
}

function isPath(url: string, hubUrl: string, path: string): boolean {
  return url.startsWith(hubUrl) && url.slice(hubUrl.length).split('?')[0] === path;
}

/** The fake hub's job types all pause and retry; those with a phase plan also roll back. */
function capabilitiesOf(job: Job): Capabilities {
  return { pause: true, retry: true, rollback: job.phases.length > 0 };
}

function upsertScope(scopes: Job['scopes'], change: NonNullable<JobChange['scope']>): Job['scopes'] {
  const previous = scopes.find((scope) => scope.name === change.name);
  const total = change.total !== undefined ? change.total : (previous?.total ?? null);
  const scope = {
    name: change.name,
    current: change.current,
    total,
    unit: change.unit !== undefined ? change.unit : (previous?.unit ?? null),
    percent: total ? Math.min(100, (change.current / total) * 100) : null,
  };
  return previous ? scopes.map((existing) => (existing === previous ? scope : existing)) : [...scopes, scope];
}

function randomEpoch(): string {
  return Math.random().toString(36).slice(2, 10);
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function errorResponse(status: number, code: string, message: string): Response {
  return jsonResponse(status, { error: { code, message } });
}
