import { readFileSync } from "node:fs";
import type { Context } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import { createHub, type JobcastHub } from "./app.ts";
import type { JwtAuthOptions } from "./auth/authenticator.ts";
import { readEnvConfig, type EnvConfig } from "./config.ts";
import { createEngine } from "./engines/index.ts";
import { demoJobs } from "./jobs/demo/index.ts";
import { createLogger, type Logger } from "./log.ts";

/** The hub that `npm start` and `deno task start` run: configured from the environment, with the demo job types. */
export function hubFromEnv(env: Record<string, string | undefined>, upgradeWebSocket: UpgradeWebSocket, clientIp: (c: Context) => string | undefined): {
  hub: JobcastHub;
  config: EnvConfig;
  logger: Logger;
} {
  const config = readEnvConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const hub = createHub({
    jobs: demoJobs,
    engine: createEngine(config, logger),
    upgradeWebSocket,
    clientIp,
    auth: config.AUTH === "jwt" ? jwtOptions(config) : undefined,
    maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
    framesPerSecond: config.WS_FRAMES_PER_SECOND,
    frameBurst: config.WS_FRAME_BURST,
    submitsPerSecond: config.SUBMITS_PER_SECOND,
    submitBurst: config.SUBMIT_BURST,
    logger,
    allowedOrigins: config.ALLOWED_ORIGINS,
    progressPerSecond: config.PROGRESS_PER_SECOND,
    stallAfterMs: config.STALL_AFTER_SECONDS * 1000,
    defaultLeaseSeconds: config.LEASE_SECONDS,
    heartbeatMs: config.HEARTBEAT_SECONDS * 1000,
    sseHeartbeatMs: config.SSE_HEARTBEAT_SECONDS * 1000,
    maxFrameBytes: config.MAX_FRAME_BYTES,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxQueueBytes: config.MAX_QUEUE_BYTES,
    maxSubscriptions: config.MAX_SUBSCRIPTIONS,
    concurrency: config.CONCURRENCY,
    leaseMs: config.INSTANCE_LEASE_SECONDS * 1000,
  });
  return { hub, config, logger };
}

/** `AUTH=jwt` settings; key files are read at start so a wrong path fails at once. */
function jwtOptions(config: EnvConfig): JwtAuthOptions {
  const publicKey = config.JWT_PUBLIC_KEY_FILE === undefined ? undefined : readFileSync(config.JWT_PUBLIC_KEY_FILE, "utf8");
  return {
    secret: config.JWT_SECRET,
    publicKey: publicKey?.trimStart().startsWith("{") ? JSON.parse(publicKey) : publicKey,
    jwks: config.JWT_JWKS_FILE === undefined ? undefined : JSON.parse(readFileSync(config.JWT_JWKS_FILE, "utf8")),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    clockSkewSeconds: config.JWT_CLOCK_SKEW_SECONDS,
    authTimeoutMs: config.AUTH_TIMEOUT_SECONDS * 1000,
    producerTokenSecret: config.PRODUCER_TOKEN_SECRET,
  };
}

/**
 * Stops the hub once, on the first signal: tells clients it is going away, finishes in-flight
 * writes, then stops the runtime's server (`stopServer`, which exits).
 */
export function shutdownOnce(hub: JobcastHub, logger: Logger, stopServer: () => Promise<void> | void): (signal: string) => Promise<void> {
  let stopping = false;
  return async (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    await hub.close();
    await stopServer();
  };
}

/** The one line a hub logs when it listens, saying how it is protected; a warning when it is open to others. */
export function listening(logger: Logger, runtime: string, hub: JobcastHub, config: EnvConfig, port: number): void {
  const shown = config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST;
  const auth = config.AUTH === "none" ? "none (anyone who can reach it may watch and control every job)" : "jwt";
  logger.info(`jobcast listening on http://${shown}:${port}`, { runtime, engine: hub.context.engine.name, epoch: hub.context.engine.epoch, auth });
  if (config.AUTH === "none" && !LOOPBACK.has(config.HOST)) {
    logger.warn("AUTH=none on an address other machines can reach: set AUTH=jwt, or HOST=127.0.0.1 behind an authenticating proxy");
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
