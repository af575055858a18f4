import type { EnvConfig } from "../config.ts";
import type { Engine } from "./engine.ts";
import { MemoryEngine } from "./memory.ts";

/** The engine the environment asks for: memory unless DATABASE_URL is set. */
export function createEngine(config: EnvConfig): Engine {
  return new MemoryEngine({
    historyPerJob: config.HISTORY_PER_JOB,
    maxFinishedJobs: config.MAX_FINISHED_JOBS,
    finishedTtlMs: config.FINISHED_TTL_SECONDS * 1000,
  });
}
