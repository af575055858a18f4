import type { EnvConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Engine } from "./engine.ts";
import { MemoryEngine } from "./memory.ts";
import { PostgresEngine } from "./postgres.ts";

/** The engine the environment asks for: PostgreSQL when DATABASE_URL is set, memory otherwise. */
export function createEngine(config: EnvConfig, logger: Logger): Engine {
  const retention = {
    historyPerJob: config.HISTORY_PER_JOB,
    maxFinishedJobs: config.MAX_FINISHED_JOBS,
    finishedTtlMs: config.FINISHED_TTL_SECONDS * 1000,
  };
  if (!config.DATABASE_URL) return new MemoryEngine(retention);
  return new PostgresEngine({
    ...retention,
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000,
    onError: (error, context) => logger.warn("database background work failed", { context, error: String(error) }),
  });
}
