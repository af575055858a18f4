/**
 * `npm run migrate`: applies the PostgreSQL schema migrations to DATABASE_URL and exits.
 * The hub also migrates when it starts; this is for deploying the schema ahead of time.
 */
import process from "node:process";
import postgres from "postgres";
import { MIGRATIONS, migrate } from "./engines/postgres/migrations.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}

const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  const applied = await migrate(sql);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  console.log(applied.length === 0 ? `schema is up to date (version ${latest})` : `applied migrations ${applied.join(", ")}; schema is at version ${latest}`);
} catch (error) {
  // The error names the failing statement, never the connection URL.
  console.error("migration failed:", error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await sql.end();
}
