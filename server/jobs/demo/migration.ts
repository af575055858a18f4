import { z } from "zod";
import type { HandlerReport } from "../../protocol/index.ts";
import { defineJob, type JobContext } from "../define.ts";
import { codedError, DemoInput, formatCount, phaseDurations, spreadSteps } from "./common.ts";
import { MIGRATION_PHASES } from "./migration-phases.ts";

const DEFAULT_TABLES = [
  { name: "customers", rows: 120_000 },
  { name: "products", rows: 8_200 },
  { name: "orders", rows: 480_000 },
  { name: "order_items", rows: 1_350_000 },
  { name: "invoices", rows: 260_000 },
];

const PREFLIGHT_CHECKS = [
  "Source orders_db reachable, PostgreSQL 14.11",
  "Target orders_db_v2 reachable, PostgreSQL 16.4",
  "Target has 412 GB free, 38 GB needed",
  "Took the migration lock on orders_db",
];

const Input = DemoInput.extend({
  tables: z
    .array(z.strictObject({ name: z.string().min(1).max(64), rows: z.number().int().min(1).max(1_000_000_000) }))
    .min(1)
    .max(20)
    // Each table is a scope, and scopes are told apart by name.
    .refine((tables) => new Set(tables.map((table) => table.name)).size === tables.length, "table names must be unique")
    .default(DEFAULT_TABLES),
});
type Input = z.output<typeof Input>;
type Table = Input["tables"][number];
/** One stretch of the job's work (or of its undoing), given its share of the time. */
type Step = (ctx: JobContext<Input>, durationMs: number) => AsyncGenerator<HandlerReport, void, void>;

const copyTables: Step = async function* (ctx, durationMs) {
  const { tables } = ctx.input;
  const totalRows = tables.reduce((sum, table) => sum + table.rows, 0);
  // Replication falls behind while the biggest table streams over; say why the copy slows down.
  const laggingTable = tables.reduce((biggest, table) => (table.rows > biggest.rows ? table : biggest));

  yield ctx.phase("copy", `Copying ${formatCount(totalRows)} rows in ${tables.length} tables`);
  // Announce every table up front so a board can list the ones still waiting.
  for (const table of tables) yield ctx.scope(table.name, table.rows, "rows").progress(0);

  let copiedBefore = 0;
  for (const table of tables) {
    const scope = ctx.scope(table.name, table.rows, "rows");
    if (table === laggingTable) yield ctx.throttle("replica lag 2.3 s");
    for await (const { to } of spreadSteps(ctx, table.rows, (durationMs * table.rows) / totalRows)) {
      yield scope.progress(to);
      yield ctx.progress(copiedBefore + to, totalRows, { unit: "rows" });
    }
    if (table === laggingTable) yield ctx.throttle(null);
    copiedBefore += table.rows;
    yield ctx.log(`Copied ${table.name}: ${formatCount(table.rows)} rows`);
  }
};

/** How to undo each reversible phase that changed something; verify only reads, so it has no entry. */
const UNDO: Partial<Record<string, Step>> = {
  async *copy(ctx, durationMs) {
    const tables = [...ctx.input.tables].reverse();
    yield ctx.phase("copy", `Rolling back: truncating ${tables.length} copied tables`);
    for await (const { from, to } of spreadSteps(ctx, tables.length, durationMs)) {
      for (const table of tables.slice(from, to)) {
        yield ctx.scope(table.name, table.rows, "rows").progress(0);
        yield ctx.log(`Truncated ${table.name}`);
      }
      yield ctx.progress(to, tables.length, { unit: "tables" });
    }
  },
  async *schema(ctx, durationMs) {
    const tables = [...ctx.input.tables].reverse();
    yield ctx.phase("schema", `Rolling back: dropping ${tables.length} tables on the target`);
    for await (const { from, to } of spreadSteps(ctx, tables.length, durationMs)) {
      for (const table of tables.slice(from, to)) yield ctx.log(`Dropped ${table.name}`);
      yield ctx.progress(to, tables.length, { unit: "tables" });
    }
  },
  async *preflight(ctx, durationMs) {
    yield ctx.phase("preflight", "Rolling back: releasing the migration lock");
    await ctx.sleep(durationMs);
    yield ctx.log("Released the migration lock on orders_db");
  },
};

function verifyFailure(table: Table): Error {
  const differing = Math.max(1, Math.round(table.rows / 5000));
  return codedError("checksum_mismatch", `Checksum mismatch on ${table.name}: ${formatCount(differing)} rows differ between source and target`);
}

/** A database move: copy every table to a new server, check it, then switch traffic over. */
export const migration = defineJob({
  type: "migration",
  input: Input,
  phases: MIGRATION_PHASES,
  pausable: true,
  async *run(ctx) {
    const { tables, durationMs, fail } = ctx.input;
    const time = phaseDurations(durationMs, MIGRATION_PHASES);

    yield ctx.phase("preflight", "Checking connectivity, free space and locks");
    for await (const { from, to } of spreadSteps(ctx, PREFLIGHT_CHECKS.length, time.preflight)) {
      for (const check of PREFLIGHT_CHECKS.slice(from, to)) yield ctx.log(check);
    }

    yield ctx.phase("schema", `Creating ${tables.length} tables and their indexes on the target`);
    for await (const { to } of spreadSteps(ctx, tables.length, time.schema)) {
      yield ctx.progress(to, tables.length, { unit: "tables" });
    }

    yield* copyTables(ctx, time.copy);

    yield ctx.phase("verify", "Comparing row counts and checksums");
    for await (const { to } of spreadSteps(ctx, tables.length, time.verify)) {
      if (fail && to > tables.length / 2) throw verifyFailure(tables[to - 1]);
      yield ctx.progress(to, tables.length, { unit: "tables" });
    }

    yield ctx.phase("cutover", "Switching application traffic to the target");
    await ctx.sleep(time.cutover);
    yield ctx.log("Traffic now served by orders_db_v2");

    yield ctx.phase("cleanup", "Dropping the replication slot and temporary objects");
    await ctx.sleep(time.cleanup);
    return { tables: tables.length, rows: tables.reduce((sum, table) => sum + table.rows, 0) };
  },
  async *rollback(ctx) {
    // Undo from the phase the job had reached (possibly half done) back to the first, in reverse.
    const reached = MIGRATION_PHASES.findIndex((phase) => phase.name === ctx.job.phase);
    const steps = MIGRATION_PHASES.slice(0, reached + 1)
      .reverse()
      .flatMap((phase) => UNDO[phase.name] ?? []);
    // Undoing is quicker than doing: a third of the run's time, shared between the steps.
    for (const undo of steps) yield* undo(ctx, ctx.input.durationMs / 3 / steps.length);
  },
});
