import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket from "ws";

/**
 * Fan-out: one job's progress to many WebSocket subscribers, through the hub and through a bare
 * `ws` broadcast of the same frames. Each server runs in a child process; the clients and the
 * emitter run here, so emit and receipt times come from one monotonic clock.
 */

const { values } = parseArgs({
  options: {
    subscribers: { type: "string", default: "1000,10000" },
    rate: { type: "string", default: "20" },
    seconds: { type: "string", default: "10" },
  },
});
const SUBSCRIBER_COUNTS = values.subscribers.split(",").map(Number);
const RATE = Number(values.rate);
const EMITS = Math.round(RATE * Number(values.seconds));
/** Updates sent before measuring, to warm up both servers, the clients and the HTTP connection. */
const WARMUP = Math.round(2 * RATE);
const CONNECT_BATCH = 250;
const DRAIN_TIMEOUT_MS = 10_000;
const SERVER_SCRIPT = fileURLToPath(new URL("./fanout-server.ts", import.meta.url));

type Mode = "hub" | "baseline";

interface Result {
  subscribers: number;
  mode: Mode;
  deliveriesPerSecond: number;
  /** Measured updates the emitter sent; the others were skipped while the server was still busy. */
  sent: number;
  /** Share of the sent updates that reached the clients (the rest were coalesced or lost). */
  delivered: number;
  p50: number;
  p99: number;
  /** Server CPU over the measured window, in % of one core. */
  serverCpu: number;
  /** Server CPU time per delivered frame, in microseconds. */
  serverMicrosPerDelivery: number;
  /** This process's CPU (clients and emitter) over the measured window, in % of one core. */
  clientCpu: number;
  closedEarly: number;
}

// ---------------------------------------------------------------- server processes

interface Server {
  child: ChildProcess;
  base: string;
  /** CPU time of the server process so far, in microseconds. */
  cpu(): Promise<number>;
}

async function startServer(mode: Mode): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER_SCRIPT, mode], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const [ready] = (await once(child, "message")) as [{ port: number }];
  const cpu = async () => {
    child.send("cpu");
    const [reply] = (await once(child, "message")) as [{ cpu: number }];
    return reply.cpu;
  };
  return { child, base: `127.0.0.1:${ready.port}`, cpu };
}

async function stopServer(server: Server): Promise<void> {
  const exited = once(server.child, "exit");
  server.child.disconnect();
  await Promise.race([exited, sleep(5_000).then(() => server.child.kill("SIGKILL"))]);
}

/** POSTs JSON and returns the response body (read in full, so the connection is free for the next request). */
async function post(url: string, body: string): Promise<string> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${text}`);
  return text;
}

// ---------------------------------------------------------------- clients

const EVENT_PREFIX = Buffer.from('{"op":"event"');
const CURRENT = Buffer.from('"progress":{"current":');

/** The update number an event frame carries (the emitter sends it as `progress.current`), or -1. */
function updateOf(frame: Buffer): number {
  if (frame.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) !== 0) return -1;
  let at = frame.indexOf(CURRENT);
  if (at < 0) return -1;
  at += CURRENT.length;
  let value = 0;
  for (let digit = frame[at]!; digit >= 48 && digit <= 57; digit = frame[++at]!) value = value * 10 + digit - 48;
  return value;
}

/** What all the clients receive, recorded with as little work per frame as possible. */
class Receipts {
  readonly emittedAt = new Float64Array(WARMUP + EMITS);
  readonly latencies: Float64Array;
  count = 0;
  lastAt = 0;
  /** Clients that received the final update. */
  finished = 0;
  closedEarly = 0;
  /** One event frame as the hub sent it, to give the baseline the same payload. */
  sample: string | undefined;

  constructor(subscribers: number) {
    this.latencies = new Float64Array(subscribers * EMITS);
  }

  record(frame: Buffer): void {
    const now = performance.now();
    const update = updateOf(frame);
    if (update < 0) return;
    this.sample ??= frame.toString();
    if (update === WARMUP + EMITS - 1) this.finished++;
    if (update < WARMUP) return;
    this.latencies[this.count++] = now - this.emittedAt[update]!;
    this.lastAt = now;
  }
}

/** Opens one client; resolves once it is ready to receive (after `subscribed` when a channel is given). */
function connect(url: string, receipts: Receipts, channel?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let ready = false;
    socket.on("message", (data) => {
      if (ready) receipts.record(data as Buffer);
      else if (String(data).startsWith('{"op":"subscribed"')) {
        ready = true;
        resolve(socket);
      }
    });
    socket.once("open", () => {
      if (channel === undefined) {
        ready = true;
        resolve(socket);
      } else socket.send(JSON.stringify({ op: "subscribe", id: 1, channel }));
    });
    socket.once("error", reject);
    socket.once("close", () => {
      if (ready) receipts.closedEarly++;
    });
  });
}

async function connectAll(count: number, url: string, receipts: Receipts, channel?: string): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  while (sockets.length < count) {
    const batch = Math.min(CONNECT_BATCH, count - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, () => connect(url, receipts, channel)))));
  }
  return sockets;
}

// ---------------------------------------------------------------- one run

/**
 * Emits one update per tick, RATE ticks a second, like a worker reporting progress: one request in
 * flight at a time, and when a request outlasts its tick, the next one carries the newest value and
 * the updates in between are never sent. Returns how many measured updates were sent.
 */
async function emitAll(receipts: Receipts, emit: (update: number) => Promise<unknown>): Promise<number> {
  const total = WARMUP + EMITS;
  const period = 1000 / RATE;
  const start = performance.now();
  let sent = 0;
  for (let update = 0; update < total; update++) {
    const wait = start + update * period - performance.now();
    if (wait > 0) await sleep(wait);
    else update = Math.min(total - 1, Math.floor((performance.now() - start) / period));
    receipts.emittedAt[update] = performance.now();
    await emit(update);
    if (update >= WARMUP) sent++;
  }
  return sent;
}

async function run(mode: Mode, subscribers: number, sample: string | undefined): Promise<{ result: Result; receipts: Receipts; metrics?: string }> {
  const server = await startServer(mode);
  const receipts = new Receipts(subscribers);
  let sockets: WebSocket[] = [];
  try {
    let emit: (update: number) => Promise<unknown>;
    if (mode === "hub") {
      const jobs = `http://${server.base}/v1/jobs`;
      const { id } = JSON.parse(await post(jobs, JSON.stringify({ type: "bench", external: true, leaseSeconds: 3600 }))) as { id: string };
      const total = WARMUP + EMITS;
      // The first report starts the job, so its `running` status change happens before anyone subscribes.
      await post(`${jobs}/${id}/events`, JSON.stringify({ kind: "progress", current: 0, total }));
      sockets = await connectAll(subscribers, `ws://${server.base}/v1/ws`, receipts, `job:${id}`);
      emit = (update) => post(`${jobs}/${id}/events`, JSON.stringify({ kind: "progress", current: update, total }));
    } else {
      if (sample === undefined) throw new Error("the baseline needs a frame sampled from the hub run");
      sockets = await connectAll(subscribers, `ws://${server.base}/`, receipts);
      emit = (update) => post(`http://${server.base}/emit`, sample.replace(/"progress":\{"current":\d+/, `"progress":{"current":${update}`));
    }

    const sending = emitAll(receipts, emit);
    await sleep((WARMUP * 1000) / RATE);
    const [serverCpu0, clientCpu0, wall0] = [await server.cpu(), process.cpuUsage(), performance.now()];
    const sent = await sending;
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (receipts.finished + receipts.closedEarly < subscribers && performance.now() < deadline) await sleep(20);
    const wall = performance.now() - wall0;
    const serverCpu = (await server.cpu()) - serverCpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const metrics = mode === "hub" ? await (await fetch(`http://${server.base}/metrics`)).text() : undefined;

    const measured = receipts.latencies.slice(0, receipts.count).sort();
    return {
      receipts,
      metrics,
      result: {
        subscribers,
        mode,
        deliveriesPerSecond: receipts.count / ((receipts.lastAt - wall0) / 1000),
        sent,
        delivered: receipts.count / (subscribers * sent),
        p50: percentile(measured, 0.5),
        p99: percentile(measured, 0.99),
        serverCpu: serverCpu / 10 / wall,
        serverMicrosPerDelivery: serverCpu / receipts.count,
        clientCpu: (clientCpu.user + clientCpu.system) / 10 / wall,
        closedEarly: receipts.closedEarly,
      },
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await stopServer(server);
  }
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

// ---------------------------------------------------------------- report

function hubMetrics(text: string): string {
  const wanted = /^jobcast_(progress_coalesced_total|queue_bytes|events_sent_total|disconnects_total)/;
  return text.split("\n").filter((line) => wanted.test(line)).map((line) => `    ${line}`).join("\n");
}

const COLUMNS = ["subscribers", "server", "deliveries/s", "sent", "delivered", "p50 ms", "p99 ms", "server cpu", "µs/delivery", "client cpu"];
const WIDTHS = [11, 12, 12, 7, 9, 8, 8, 10, 11, 10];

function row(cells: string[]): string {
  return cells.map((cell, index) => (index < 2 ? cell.padEnd(WIDTHS[index]!) : cell.padStart(WIDTHS[index]!))).join("  ");
}

function resultRow(result: Result): string {
  return row([
    result.subscribers.toLocaleString("en-US"),
    result.mode,
    Math.round(result.deliveriesPerSecond).toLocaleString("en-US"),
    `${result.sent}/${EMITS}`,
    `${(result.delivered * 100).toFixed(1)}%`,
    result.p50.toFixed(1),
    result.p99.toFixed(1),
    `${Math.round(result.serverCpu)}%`,
    result.serverMicrosPerDelivery.toFixed(1),
    `${Math.round(result.clientCpu)}%`,
  ]);
}

function ratioRow(hub: Result, baseline: Result): string {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  return row([
    "",
    "hub/baseline",
    ratio(hub.deliveriesPerSecond, baseline.deliveriesPerSecond),
    "",
    "",
    ratio(hub.p50, baseline.p50),
    ratio(hub.p99, baseline.p99),
    "",
    ratio(hub.serverMicrosPerDelivery, baseline.serverMicrosPerDelivery),
    "",
  ]);
}

function openFileLimit(): number {
  const limit = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim();
  return limit === "unlimited" ? Number.POSITIVE_INFINITY : Number(limit);
}

function load(): string {
  return loadavg().map((value) => value.toFixed(2)).join(" ");
}

// Each side holds one socket per subscriber; the servers inherit this process's limit.
const needed = Math.max(...SUBSCRIBER_COUNTS) + 1_000;
const limit = openFileLimit();
if (limit < needed) {
  console.error(`the open-file limit is ${limit}; this run needs about ${needed}: run 'ulimit -n ${needed}' in this shell first`);
  process.exit(1);
}

console.log(
  `fan-out: one job, ${RATE} updates/s for ${EMITS / RATE} s after ${WARMUP} warm-up updates, per run; ` +
    `${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}, open-file limit ${limit}`,
);
console.log(`server in a child process; clients and emitter in this one ("client cpu"); load average ${load()}\n`);

const rows: string[] = [row(COLUMNS)];
for (const subscribers of SUBSCRIBER_COUNTS) {
  const hub = await run("hub", subscribers, undefined);
  console.log(`hub, ${subscribers} subscribers, done at load average ${load()}; its /metrics:\n${hubMetrics(hub.metrics!)}`);
  const baseline = await run("baseline", subscribers, hub.receipts.sample);
  console.log(`baseline, ${subscribers} subscribers, done at load average ${load()}`);
  for (const { result } of [hub, baseline]) {
    if (result.closedEarly > 0) console.log(`  ${result.mode}: ${result.closedEarly} clients were closed during the run`);
  }
  rows.push(resultRow(hub.result), resultRow(baseline.result), ratioRow(hub.result, baseline.result));
}
console.log(`\n${rows.join("\n")}`);
