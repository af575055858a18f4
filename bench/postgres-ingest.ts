/**
 * Progress ingest on the Postgres engine: offers a steady rate of coalesced progress samples spread
 * over many jobs, and reports the rate achieved, the events written, and how long samples waited.
 *
 *   node --import tsx bench/postgres-ingest.ts [--jobs 1000] [--rate 10000] [--seconds 5]
 *
 * Uses DATABASE_URL when set (a fresh database is created on that server), else a throwaway cluster.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { PostgresEngine } from "../server/engines/postgres.ts";
import { testJob, toProgress, toStatus } from "../tests/support/jobs.ts";
import { startTestPostgres } from "../tests/support/postgres.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "1000" },
    rate: { type: "string", default: "10000" },
    seconds: { type: "string", default: "5" },
  },
});
const jobCount = Number(values.jobs);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const TICK_MS = 10;

const server = await startTestPostgres();
const engine = new PostgresEngine({ url: await server.createDatabase(), poolSize: 8 });
await engine.start();
try {
  const ids: string[] = [];
  for (let index = 0; index < jobCount; index++) {
    const { job } = await engine.create(testJob({ type: "bench" }));
    await engine.mutate(job.id, toStatus("running"));
    ids.push(job.id);
  }
  const headBefore = await engine.headOffset();

  const waits: number[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let offered = 0;
  let peakPending = 0;
  const perTick = (rate * TICK_MS) / 1000;
  const startedAt = performance.now();
  const endAt = startedAt + seconds * 1000;
  let owed = 0;
  while (performance.now() < endAt) {
    // Sends what the schedule owes so far, so a late tick catches up instead of lowering the rate.
    owed = ((performance.now() - startedAt) / TICK_MS + 1) * perTick - offered;
    for (; owed >= 1; owed--) {
      const id = ids[offered % ids.length]!;
      offered++;
      const sentAt = performance.now();
      const write: Promise<unknown> = engine.mutate(id, toProgress(offered), { coalesce: true }).then(() => {
        waits.push(performance.now() - sentAt);
        inFlight.delete(write);
      });
      inFlight.add(write);
    }
    peakPending = Math.max(peakPending, inFlight.size);
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - startedAt) / 1000;
  const events = (await engine.headOffset()) - headBefore;

  waits.sort((a, b) => a - b);
  const percentile = (p: number) => waits[Math.min(waits.length - 1, Math.floor(waits.length * p))]!.toFixed(1);
  console.log(JSON.stringify({
    jobs: jobCount,
    offeredPerSecond: rate,
    samples: offered,
    achievedPerSecond: Math.round(offered / elapsed),
    eventsWritten: events,
    eventsPerSecond: Math.round(events / elapsed),
    samplesPerEvent: Number((offered / Math.max(1, events)).toFixed(2)),
    waitMs: { p50: percentile(0.5), p99: percentile(0.99), max: percentile(1) },
    peakUnresolved: peakPending,
  }, null, 2));
} finally {
  await engine.stop();
  await server.stop();
}
process.exit(0);
