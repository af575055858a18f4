import { type Context, Hono } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import { Authenticator, type JwtAuthOptions } from "./auth/authenticator.ts";
import { ConnectionLimit } from "./auth/connection-limit.ts";
import { KeyedRateLimiter } from "./auth/rate-limit.ts";
import type { Engine } from "./engines/engine.ts";
import { MemoryEngine } from "./engines/memory.ts";
import { Hub } from "./hub/hub.ts";
import { Metrics } from "./hub/metrics.ts";
import { restRoutes } from "./http/rest.ts";
import { streamRoutes } from "./http/streams.ts";
import { staticRoutes } from "./http/static.ts";
import { cors, errorHandler, notFound } from "./http/middleware.ts";
import type { JobType } from "./jobs/define.ts";
import { Runner } from "./jobs/runner.ts";
import { JobService } from "./jobs/service.ts";
import { createLogger, type Logger, type LogLevel } from "./log.ts";
import type { ClientSession } from "./transports/session.ts";

export interface HubOptions {
  /** Job types this hub runs in-process. */
  jobs?: readonly JobType[];
  /** Where jobs and events live; the in-memory engine by default. */
  engine?: Engine;
  /** The runtime's WebSocket upgrade (`hono/deno`, `@hono/node-server`); without it `/v1/ws` answers 426. */
  upgradeWebSocket?: UpgradeWebSocket;
  /** Origins allowed for WebSocket, SSE and CORS besides the hub's own; default: any localhost origin. `*` allows all. */
  allowedOrigins?: readonly string[];
  /** Turns on `AUTH=jwt`: every route and stream needs a token; without it anyone may do anything. */
  auth?: JwtAuthOptions;
  /** The client's IP for per-IP limits, from the runtime's conninfo; without it per-IP limits are off. */
  clientIp?: (c: Context) => string | undefined;
  /** Open WebSockets and streams per client IP. */
  maxConnectionsPerIp?: number;
  /** WebSocket frames a connection may send per second, and at once. */
  framesPerSecond?: number;
  frameBurst?: number;
  /** Job submissions per token subject (else per IP) per second, and at once. */
  submitsPerSecond?: number;
  submitBurst?: number;
  logger?: Logger;
  logLevel?: LogLevel;
  progressPerSecond?: number;
  stallAfterMs?: number;
  defaultLeaseSeconds?: number;
  heartbeatMs?: number;
  sseHeartbeatMs?: number;
  sseRetryMs?: number;
  maxFrameBytes?: number;
  maxBodyBytes?: number;
  maxQueueBytes?: number;
  maxSubscriptions?: number;
  concurrency?: number;
  /** Lease of a job claimed by this instance, renewed by heartbeat. */
  leaseMs?: number;
  superviseEveryMs?: number;
  snapshotLimit?: number;
  replayLimit?: number;
  maxOutputChars?: number;
  /** Folder holding the built widget bundle served at `/widgets/`. */
  widgetsDir?: string;
}

export type ResolvedHubOptions = Required<Omit<HubOptions, "upgradeWebSocket" | "allowedOrigins" | "logger" | "engine" | "auth" | "clientIp">> & {
  allowedOrigins: readonly string[] | undefined;
};

const DEFAULTS: Omit<ResolvedHubOptions, "allowedOrigins"> = {
  jobs: [],
  logLevel: "info",
  progressPerSecond: 10,
  stallAfterMs: 60_000,
  defaultLeaseSeconds: 30,
  heartbeatMs: 25_000,
  sseHeartbeatMs: 15_000,
  sseRetryMs: 2_000,
  maxFrameBytes: 16_384,
  maxBodyBytes: 1_048_576,
  maxQueueBytes: 1_048_576,
  maxSubscriptions: 100,
  maxConnectionsPerIp: 100,
  framesPerSecond: 50,
  frameBurst: 100,
  submitsPerSecond: 20,
  submitBurst: 100,
  concurrency: 16,
  leaseMs: 30_000,
  superviseEveryMs: 1_000,
  snapshotLimit: 200,
  replayLimit: 5_000,
  maxOutputChars: 16_384,
  widgetsDir: "dist",
};

/** What the routes share. */
export interface HubContext {
  options: ResolvedHubOptions;
  engine: Engine;
  service: JobService;
  hub: Hub;
  metrics: Metrics;
  logger: Logger;
  sessions: Set<ClientSession>;
  upgradeWebSocket?: UpgradeWebSocket;
  startedAt: number;
  /** Present when `AUTH=jwt`. */
  authenticator?: Authenticator;
  clientIp(c: Context): string | undefined;
  connectionLimit: ConnectionLimit;
  submitLimiter: KeyedRateLimiter;
}

export type JobcastHub = Hono & {
  /** Resolves once the engine is ready and jobs run. */
  ready: Promise<void>;
  /** Stops taking work, closes every client connection and the engine. */
  close(): Promise<void>;
  context: HubContext;
};

/** Builds a hub: a Hono app to serve on any runtime, or to mount inside another app. */
export function createHub(hubOptions: HubOptions = {}): JobcastHub {
  const options: ResolvedHubOptions = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(hubOptions).filter(([, value]) => value !== undefined)),
    allowedOrigins: hubOptions.allowedOrigins,
  } as ResolvedHubOptions;
  const logger = hubOptions.logger ?? createLogger(options.logLevel);
  const engine = hubOptions.engine ?? new MemoryEngine();
  const metrics = new Metrics();
  const service = new JobService({ ...options, engine, types: options.jobs, logger, metrics });
  const hub = new Hub({ engine, metrics, snapshotLimit: options.snapshotLimit, replayLimit: options.replayLimit });
  const runner = new Runner({
    engine,
    service,
    logger,
    metrics,
    owner: `hub-${crypto.randomUUID().slice(0, 8)}`,
    concurrency: options.concurrency,
    leaseMs: options.leaseMs,
  });
  const authenticator = hubOptions.auth ? new Authenticator(hubOptions.auth, engine, logger) : undefined;
  const context: HubContext = {
    options,
    engine,
    service,
    hub,
    metrics,
    logger,
    sessions: new Set(),
    upgradeWebSocket: hubOptions.upgradeWebSocket,
    startedAt: Date.now(),
    authenticator,
    clientIp: hubOptions.clientIp ?? (() => undefined),
    connectionLimit: new ConnectionLimit(options.maxConnectionsPerIp),
    submitLimiter: new KeyedRateLimiter(options.submitsPerSecond, options.submitBurst),
  };

  const app = new Hono();
  app.onError(errorHandler(context));
  app.notFound(notFound);
  app.use("*", cors(context));
  app.route("/", restRoutes(context));
  app.route("/", streamRoutes(context));
  app.route("/", staticRoutes(context));

  const ready = (async () => {
    await authenticator?.ready;
    await engine.start();
    hub.start();
    runner.start();
    service.start();
  })();
  ready.catch((error) => logger.error("hub failed to start", { error: String(error) }));

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await ready.catch(() => undefined);
      await runner.stop();
      await service.stop();
      for (const session of [...context.sessions]) session.close("going_away");
      hub.stop();
      await engine.stop();
    })();

  return Object.assign(app, { ready, close, context });
}
