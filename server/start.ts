import type { UpgradeWebSocket } from "hono/ws";
import { createHub, type JobcastHub } from "./app.ts";
import { readEnvConfig, type EnvConfig } from "./config.ts";
import { createEngine } from "./engines/index.ts";
import { demoJobs } from "./jobs/demo/index.ts";
import { createLogger, type Logger } from "./log.ts";

/** The hub that `npm start` and `deno task start` run: configured from the environment, with the demo job types. */
export function hubFromEnv(env: Record<string, string | undefined>, upgradeWebSocket: UpgradeWebSocket): {
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

/** The one line a hub logs when it listens. */
export function listening(logger: Logger, runtime: string, hub: JobcastHub, host: string, port: number): void {
  const shown = host.includes(":") ? `[${host}]` : host;
  logger.info(`jobcast listening on http://${shown}:${port}`, { runtime, engine: hub.context.engine.name, epoch: hub.context.engine.epoch });
}
