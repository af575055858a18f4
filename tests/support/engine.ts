import type { Engine } from "../../server/engines/engine.ts";
import { PostgresEngine } from "../../server/engines/postgres.ts";
import { startTestPostgres, type TestPostgres } from "./postgres.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

/** The engine hub tests run on: `JOBCAST_TEST_ENGINE=postgres` runs them on PostgreSQL, anything else on memory. */
export const testEngineName: "memory" | "postgres" = env.JOBCAST_TEST_ENGINE === "postgres" ? "postgres" : "memory";

let server: Promise<TestPostgres> | undefined;

/**
 * A PostgresEngine on a fresh database, or undefined for the hub's default memory engine. One
 * server serves the whole test process; the harness stops it when the process exits.
 */
export async function createTestEngine(): Promise<Engine | undefined> {
  if (testEngineName === "memory") return undefined;
  server ??= startTestPostgres();
  return new PostgresEngine({ url: await (await server).createDatabase(), poolSize: 4 });
}
