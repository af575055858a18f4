/**
 * Hub instances on PostgreSQL against one instance on the memory engine, under the same load:
 *
 * - ingest: outside workers POST progress reports to one instance, round-robin over many jobs,
 *   with a fixed number of requests in flight; reports accepted per second, and progress events
 *   persisted per second (the instance's committed-event counter, read before and after).
 * - latency: one worker reports a job's progress at a steady rate to instance A; a WebSocket
 *   client of instance B (or of A itself) times each value from the request to its receipt.
 *
 *   npm run bench:postgres [-- --jobs 200 --inflight 32 --seconds 5 --rate 20]
 *
 * Every hub is a child process started as `npm start` would (`server/node.ts`), with progress
 * throttling raised to 1,000/s per job so that the engine, not the throttle, is measured. Uses
 * DATABASE_URL's server when set (a fresh database is created on it), else a throwaway cluster.
 */
import { loadavg } from "node:os";
import process from "node:process";
import { parseArgs } from "node:util";
import { type HubProcess, startHubProcess, stopHubProcesses } from "../tests/support/hub-process.ts";
import { api, sleep } from "../tests/support/hub.ts";
import { startTestPostgres } from "../tests/support/postgres.ts";
import { TestSocket } from "../tests/support/ws-client.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "200" },
    inflight: { type: "string", default: "32" },
    seconds: { type: "string", default: "5" },
    rate: { type: "string", default: "20" },
    /** Reports per request: workers may send up to 100 in one array. */
    batch: { type: "string", default: "1" },
  },
});
const JOBS = Number(values.jobs);
const IN_FLIGHT = Number(values.inflight);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const BATCH = Number(values.batch);
// Throttling and submission limits raised so that the engine is measured, not the limits.
const HUB_ENV = { PROGRESS_PER_SECOND: "1000", SUBMITS_PER_SECOND: "100000", SUBMIT_BURST: "100000", LOG_LEVEL: "warn" };

interface Ingest {
  acceptedPerSecond: number;
  persistedPerSecond: number;
  refused: number;
}

interface Latency {
  sent: number;
  received: number;
  p50: number;
  p99: number;
}

const externalJob = async (hub: HubProcess): Promise<string> =>
  (await api(hub.url, "POST", "/v1/jobs", { type: "bench", external: true, leaseSeconds: 600 })).body.id;

async function committedProgress(hub: HubProcess): Promise<number> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  return Number(/^jobcast_events_committed_total\{kind="progress"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** Keeps IN_FLIGHT report requests going for SECONDS, spread over JOBS jobs. */
async function ingest(hub: HubProcess): Promise<Ingest> {
  const ids = await Promise.all(Array.from({ length: JOBS }, () => externalJob(hub)));
  const before = await committedProgress(hub);
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const startedAt = performance.now();
  const endAt = startedAt + SECONDS * 1000;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (performance.now() < endAt) {
      const n = next++;
      const reports = Array.from({ length: BATCH }, (_, index) => ({ kind: "progress", current: n * BATCH + index }));
      const { status } = await api(hub.url, "POST", `/v1/jobs/${ids[n % ids.length]}/events`, BATCH === 1 ? reports[0] : reports);
      if (status === 200) accepted += BATCH;
      else refused += BATCH;
    }
  }));
  const elapsed = (performance.now() - startedAt) / 1000;
  await sleep(1_000); // samples still waiting for their batch
  const persisted = (await committedProgress(hub)) - before;
  return { acceptedPerSecond: Math.round(accepted / elapsed), persistedPerSecond: Math.round(persisted / elapsed), refused };
}

/** Reports RATE values a second to `writer`, one request at a time, and times their receipt by a client of `reader`. */
async function latency(writer: HubProcess, reader: HubProcess): Promise<Latency> {
  const id = await externalJob(writer);
  const socket = await TestSocket.open(reader.wsUrl);
  const sentAt = new Map<number, number>();
  const delays: number[] = [];
  socket.socket.on("message", (data) => {
    const frame = JSON.parse(String(data));
    const at = frame.op === "event" ? sentAt.get(frame.event.job.progress.current) : undefined;
    if (at !== undefined) delays.push(performance.now() - at);
  });
  await socket.subscribe(`job:${id}`);
  const ticks = Math.round(RATE * SECONDS);
  let busy = false;
  for (let tick = 1; tick <= ticks; tick++) {
    if (!busy) {
      busy = true;
      sentAt.set(tick, performance.now());
      void api(writer.url, "POST", `/v1/jobs/${id}/events`, { kind: "progress", current: tick }).finally(() => busy = false);
    }
    await sleep(1000 / RATE);
  }
  await sleep(1_000);
  socket.close();
  delays.sort((a, b) => a - b);
  const percentile = (p: number) => Number((delays[Math.min(delays.length - 1, Math.floor(delays.length * p))] ?? NaN).toFixed(1));
  return { sent: sentAt.size, received: delays.length, p50: percentile(0.5), p99: percentile(0.99) };
}

const server = await startTestPostgres();
try {
  const memory = await startHubProcess("node", { ...HUB_ENV, DATABASE_URL: "" });
  const memoryIngest = await ingest(memory);
  const memoryLatency = await latency(memory, memory);
  await memory.kill("SIGTERM");

  const databaseUrl = await server.createDatabase();
  const [a, b] = await Promise.all([1, 2].map(() => startHubProcess("node", { ...HUB_ENV, DATABASE_URL: databaseUrl })));
  const postgresIngest = await ingest(a!);
  const sameInstance = await latency(a!, a!);
  const acrossInstances = await latency(a!, b!);

  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`;
  const rows = [
    ["memory, 1 instance (baseline)", memoryIngest, memoryLatency],
    ["postgres, A → A", postgresIngest, sameInstance],
    ["postgres, A → B", postgresIngest, acrossInstances],
  ] as const;
  console.log(`jobs ${JOBS}, ${IN_FLIGHT} requests in flight of ${BATCH} report(s) each, ${SECONDS} s; latency at ${RATE} reports/s; load average ${loadavg()[0]!.toFixed(1)}\n`);
  console.log("| run | accepted/s | persisted/s | latency sent/received | p50 ms | p99 ms |");
  console.log("| --- | ---------- | ----------- | --------------------- | ------ | ------ |");
  for (const [name, load, times] of rows) {
    console.log(`| ${name} | ${load.acceptedPerSecond} | ${load.persistedPerSecond} | ${times.sent}/${times.received} | ${times.p50} | ${times.p99} |`);
  }
  console.log(`| postgres A → B / memory | ${ratio(postgresIngest.acceptedPerSecond, memoryIngest.acceptedPerSecond)} | ${ratio(postgresIngest.persistedPerSecond, memoryIngest.persistedPerSecond)} | | ${ratio(acrossInstances.p50, memoryLatency.p50)} | ${ratio(acrossInstances.p99, memoryLatency.p99)} |`);
  const refused = memoryIngest.refused + postgresIngest.refused;
  if (refused > 0) console.log(`\n${refused} reports refused`);
} finally {
  await stopHubProcesses();
  await server.stop();
}
process.exit(0);
