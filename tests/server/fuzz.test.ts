import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import process from "node:process";
import WebSocket from "ws";
import { ClientFrame, CLOSE_CODES, ERROR_CODES } from "../../server/protocol/index.ts";
import { api, eventually, type RunningHub, runtime, sleep, startHub } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";

/** Set FUZZ_SEED to replay a failing run. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const MAX_FRAME_BYTES = 16_384;
const MAX_BODY_BYTES = 65_536;
const CONNECTIONS = 4;
const FRAMES_PER_CONNECTION = 6_000;
const BATCH = 250;
const REST_REQUESTS = 2_400;
const REST_CONCURRENCY = 16;
const DOCUMENTED_CLOSES = new Set<number>(Object.values(CLOSE_CODES).map((close) => close.code));
const ANSWERS = new Set(["error", "pong", "subscribed", "unsubscribed"]);

type Random = ReturnType<typeof prng>;

/** mulberry32: small, fast and the same on every runtime. */
function prng(seed: number) {
  let state = seed >>> 0;
  const float = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (below: number) => Math.floor(float() * below);
  return { float, int, chance: (p: number) => float() < p, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}

const WEIRD_NUMBERS = [0, -1, 1.5, -0, 1e308, -1e308, 1e-300, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_SAFE_INTEGER];
const WEIRD_STRINGS = [
  "", " ", "null", "jobs", "job:", "jobs:", "job:../../etc/passwd", "jobs:*", "job:*", "__proto__", "constructor", "\u0000",
  "\ud800", "\udfff\ud800", "😀".repeat(20), "ñandú", "\u202eevil", "<script>alert(1)</script>", "%00%ff", "a\nb\r\nc",
  `job:${"a".repeat(128)}`, `job:${"a".repeat(129)}`, `jobs:${"b".repeat(64)}`, `jobs:${"b".repeat(65)}`, "job:a b", "JOBS",
  "abc:1", "x:99999999999999999", `${"e".repeat(65)}:1`, "subscribe", "ping", "pong", "auth", "eyJhbGciOiJub25lIn0.e30.",
];
const ALPHABET = [..."abcxyz09:._-{}[]\",\\/ \t\n", "\u0000", "\u001f", "\u007f", "é", "中", "\u2028", "\ufeff", "\ud83d", "\ude00", "😀", "\uffff"];

function randomString(r: Random, max = 40): string {
  let text = "";
  for (let length = r.int(max); length > 0; length--) text += r.chance(0.5) ? r.pick(ALPHABET) : String.fromCharCode(r.int(0x10000));
  return text;
}

/** Nesting around the hub's depth limit. */
function deep(r: Random): unknown {
  let value: unknown = r.pick([null, 1, "x", []]);
  for (let depth = 1 + r.int(100); depth > 0; depth--) value = r.chance(0.5) ? [value] : { a: value };
  return value;
}

/** Nesting deep enough to overflow a recursive serialiser, as text of at most about 2 × `depth` characters. */
function veryDeep(r: Random, depth: number): string {
  return `${"[".repeat(depth)}${r.pick(["", "1", "{}"])}${"]".repeat(depth)}`;
}

/** A serialised object whose `key` holds `value`, spliced in as text. */
function withRaw(object: Record<string, unknown>, key: string, value: string): string {
  const rest = { ...object };
  delete rest[key];
  return JSON.stringify({ ...rest, [key]: 0 }).replace(/0}$/, `${value}}`);
}

/** Any JSON value: scalars of every type, odd strings, containers, deep nesting. */
function junk(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick(WEIRD_NUMBERS);
    case 3:
      return r.pick(WEIRD_STRINGS);
    case 4:
      return randomString(r);
    case 5:
      return r.int(1_000);
    case 6:
      return Array.from({ length: r.int(5) }, () => junk(r, depth + 1));
    case 7:
      return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.chance(0.3) ? r.pick(WEIRD_STRINGS) : randomString(r, 8), junk(r, depth + 1)]));
    default:
      return deep(r);
  }
}

/** Textual damage to a serialised value: truncation, flipped, inserted, deleted or repeated characters. */
function mangle(r: Random, text: string): string {
  let out = text;
  for (let edits = 1 + r.int(3); edits > 0; edits--) {
    const at = r.int(out.length + 1);
    switch (r.int(5)) {
      case 0:
        out = out.slice(0, at);
        break;
      case 1:
        out = out.slice(0, at) + r.pick(ALPHABET) + out.slice(at + 1);
        break;
      case 2:
        out = out.slice(0, at) + randomString(r, 6) + out.slice(at);
        break;
      case 3:
        out = out.slice(0, at) + out.slice(at + 1 + r.int(5));
        break;
      default:
        out = out.slice(0, at) + out.slice(at, at + 10).repeat(1 + r.int(4)) + out.slice(at + 10);
    }
  }
  return out;
}

/** Replaces, removes or adds fields of an object. */
function mutateFields(r: Random, value: Record<string, unknown>, extraKeys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...value };
  for (let edits = 1 + r.int(2); edits > 0; edits--) {
    const keys = Object.keys(copy);
    const choice = r.int(3);
    if (choice === 0 && keys.length > 0) copy[r.pick(keys)] = junk(r);
    else if (choice === 1 && keys.length > 0) delete copy[r.pick(keys)];
    // defineProperty, so that `__proto__` becomes a key of the frame rather than its prototype.
    else Object.defineProperty(copy, r.chance(0.5) ? r.pick(extraKeys) : randomString(r, 10), { value: junk(r), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

interface Targets {
  epoch: string;
  /** Jobs the fuzzers may touch; never the well-behaved client's. */
  jobIds: string[];
}

function channel(r: Random, targets: Targets): string {
  switch (r.int(4)) {
    case 0:
      return r.pick(["jobs", "jobs:ext", "jobs:extraction", `jobs:${randomString(r, 10)}`]);
    case 1:
      return targets.jobIds.length > 0 ? `job:${r.pick(targets.jobIds)}` : "jobs";
    case 2:
      return `job:${crypto.randomUUID()}`;
    default:
      return r.pick(WEIRD_STRINGS);
  }
}

function validFrame(r: Random, targets: Targets): Record<string, unknown> {
  const id = r.int(1_000_000);
  switch (r.int(5)) {
    case 0:
      return {
        op: "subscribe",
        id,
        channel: channel(r, targets),
        ...(r.chance(0.3) ? { since: `${r.chance(0.5) ? targets.epoch : "0ldepoch"}:${r.int(100_000)}` } : {}),
      };
    case 1:
      return { op: "unsubscribe", id, channel: channel(r, targets) };
    case 2:
      return r.chance(0.5) ? { op: "ping", id } : { op: "ping" };
    case 3:
      return { op: "pong" };
    default:
      return { op: "auth", id, token: randomString(r, 100) || "t" };
  }
}

/** A frame to send; `farOver` frames make the hub close the connection. */
function fuzzFrame(r: Random, targets: Targets): { data: string | Buffer; farOver?: boolean } {
  const frame = validFrame(r, targets);
  switch (r.int(12)) {
    case 0:
      return { data: randomString(r, 200) };
    case 1:
      return { data: Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256))) };
    case 2:
      return { data: JSON.stringify(frame) };
    case 3:
    case 4:
      return { data: JSON.stringify(mutateFields(r, frame, ["op", "id", "channel", "since", "token", "__proto__"])) };
    case 5:
    case 6:
      return { data: mangle(r, JSON.stringify(frame)) };
    case 7:
      return { data: JSON.stringify({ ...frame, op: r.chance(0.5) ? junk(r) : randomString(r, 12) }) };
    case 8:
      return { data: JSON.stringify(junk(r)) ?? "undefined" };
    case 9: {
      // Around the limit, and up to just under the size that closes the connection; big frames are costly, so fewer.
      if (r.chance(0.6)) return { data: JSON.stringify(frame) };
      const size = r.chance(0.5) ? MAX_FRAME_BYTES - 2 + r.int(4) : MAX_FRAME_BYTES + 1 + r.int(MAX_FRAME_BYTES * 3 - 64);
      const text = JSON.stringify({ ...frame, pad: "" });
      return { data: `${text.slice(0, -2)}"${"x".repeat(Math.max(0, size - text.length))}"}` };
    }
    case 10:
      if (r.chance(0.1)) return { data: withRaw(frame, r.pick(["op", "id", "channel", "since", "extra"]), veryDeep(r, 3_000 + r.int(5_000))) };
      return { data: r.pick(['{"__proto__":{"op":"ping"}}', '{"op":"ping","id":1e999}', '{"op":"ping","id":-0}', '{"op":"ping","id":1.0}', "{\"op\":\"ping\"}\u0000", '{"op":"ping"} {"op":"ping"}', "[]", "{}", "", " ", "1e999", '"\\ud800"', '{"op":"subscribe","id":1,"channel":"jobs","channel":"job:x"}']) };
    default:
      return r.chance(0.03) ? { data: "x".repeat(MAX_FRAME_BYTES * 4 + 1 + r.int(MAX_FRAME_BYTES)), farOver: true } : { data: JSON.stringify(validFrame(r, targets)) };
  }
}

/** The one frame a hub does not answer: a valid `pong`. */
function unanswered(data: string | Buffer): boolean {
  if (typeof data !== "string" || data.length > MAX_FRAME_BYTES) return false;
  try {
    const parsed = ClientFrame.safeParse(JSON.parse(data));
    return parsed.success && parsed.data.op === "pong";
  } catch {
    return false;
  }
}

interface WsTally {
  sent: number;
  replies: Record<string, number>;
  closes: Record<string, number>;
  problems: string[];
}

/** One fuzzing connection at a time: sends batches, checks each reply, and reopens after a close. */
async function fuzzSocket(url: string, r: Random, targets: Targets, count: number, tally: WsTally): Promise<void> {
  let sent = 0;
  while (sent < count) {
    const socket = new WebSocket(url);
    let answers = 0;
    let rateLimited = 0;
    let welcomed = false;
    socket.on("message", (raw, binary) => {
      let frame: any;
      try {
        frame = JSON.parse(String(raw));
      } catch {
        tally.problems.push(`non-JSON reply: ${String(raw).slice(0, 80)}`);
        return;
      }
      if (binary) tally.problems.push("binary reply");
      if (!welcomed) {
        welcomed = true;
        if (frame.op !== "welcome") tally.problems.push(`first frame ${frame.op}`);
        return;
      }
      const op = frame.op === "error" ? `error:${frame.code}` : frame.op;
      tally.replies[op] = (tally.replies[op] ?? 0) + 1;
      if (ANSWERS.has(frame.op)) answers++;
      else if (frame.op !== "event" && frame.op !== "ping") tally.problems.push(`unexpected frame ${JSON.stringify(frame).slice(0, 120)}`);
      if (frame.op === "error") {
        if (!(frame.code in ERROR_CODES) || frame.code === "internal") tally.problems.push(`error code ${frame.code}: ${frame.message}`);
        if (typeof frame.message !== "string") tally.problems.push(`error without message: ${JSON.stringify(frame)}`);
        if (frame.id !== undefined && !Number.isSafeInteger(frame.id)) tally.problems.push(`error id ${frame.id}`);
        if (frame.code === "rate_limited") rateLimited++;
      }
    });
    const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
    let closeCode: number | undefined;
    closed.then((code) => (closeCode = code));
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    await eventually(() => welcomed || closeCode !== undefined, 5_000, "welcome");
    let expected = 0;
    let farOver = false;
    while (sent < count && closeCode === undefined) {
      for (let index = 0; index < BATCH && sent < count && !farOver; index++) {
        const frame = fuzzFrame(r, targets);
        farOver = frame.farOver === true;
        socket.send(frame.data, { binary: typeof frame.data !== "string" });
        sent++;
        tally.sent++;
        if (!unanswered(frame.data)) expected++;
      }
      if (farOver) break;
      // Every frame but a valid pong gets exactly one answer (a rate-limited pong gets one too).
      await eventually(() => answers >= expected || closeCode !== undefined, 10_000, `${expected} answers (got ${answers})`);
      if (closeCode === undefined && answers > expected + rateLimited) tally.problems.push(`${answers} answers to ${expected} frames`);
      expected = answers;
    }
    if (farOver || closeCode !== undefined) {
      const code = await eventually(() => closeCode, 5_000, "the hub to close");
      tally.closes[code] = (tally.closes[code] ?? 0) + 1;
      if (!DOCUMENTED_CLOSES.has(code)) tally.problems.push(`close code ${code}`);
      if (farOver && code !== CLOSE_CODES.message_too_big.code) tally.problems.push(`close code ${code} after a frame far over the limit`);
    } else {
      socket.close(1000);
      await closed;
    }
  }
}

interface RestTally {
  requests: number;
  statuses: Record<string, number>;
  problems: string[];
}

const CONTROLS = ["cancel", "pause", "resume", "retry", "rollback"];

function report(r: Random): Record<string, unknown> {
  return r.pick<Record<string, unknown>>([
    { kind: "progress", current: r.int(100), total: 100, unit: "rows", message: "m", counters: { a: 1 } },
    { kind: "scope", scope: "t", current: 1, total: 2 },
    { kind: "phase", phase: "copy" },
    { kind: "log", level: "warn", message: "hello" },
    { kind: "output", chunk: "out" },
    { kind: "throttle", reason: null },
    { kind: "complete", result: { ok: true } },
    { kind: "fail", error: { code: "e", message: "m" } },
  ]);
}

function submission(r: Random): Record<string, unknown> {
  return r.pick<Record<string, unknown>>([
    { type: "ext", external: true, leaseSeconds: 1 + r.int(3) },
    { type: "extraction", input: { durationMs: r.int(300) } },
    { type: "migration", input: { durationMs: r.int(300), fail: r.chance(0.5) } },
    { type: "unknown-type" },
    { type: "ext", external: true, key: `k${r.int(50)}`, labels: { team: "a" } },
  ]);
}

function body(r: Random, valid: Record<string, unknown>, extraKeys: readonly string[]): string {
  switch (r.int(7)) {
    case 0:
      return JSON.stringify(valid);
    case 1:
    case 2:
      return JSON.stringify(mutateFields(r, valid, extraKeys));
    case 3:
      return mangle(r, JSON.stringify(valid));
    case 4:
      return r.chance(0.1) ? withRaw(valid, r.pick(extraKeys), veryDeep(r, 3_000 + r.int(20_000))) : JSON.stringify(junk(r)) ?? "";
    case 5:
      return r.chance(0.5) ? randomString(r, 100) : JSON.stringify({ ...valid, pad: "x".repeat(MAX_BODY_BYTES - 200 + r.int(400)) });
    default:
      return JSON.stringify(Array.from({ length: r.int(120) }, () => (r.chance(0.8) ? valid : junk(r))));
  }
}

/** A query value: numbers out of range, wrong types, odd characters, raw percent-escapes. */
function queryValue(r: Random): string {
  return r.pick([
    () => String(r.pick(WEIRD_NUMBERS)),
    () => encodeURIComponent(randomString(r, 20).replace(/[\ud800-\udfff]/g, "?")),
    () => r.pick(["", "lots", "1e3", "0x10", "-5", "NaN", "Infinity", "1e400", "queued", "completed", "a=b", "=", "%", "%E0%A4%A", "%FF", "%00", "a%3D%FF"]),
    () => Array.from({ length: 1 + r.int(4) }, () => `%${r.int(256).toString(16).padStart(2, "0")}`).join(""),
  ])();
}

function query(r: Random, names: readonly string[]): string {
  const parts = Array.from({ length: r.int(5) }, () => `${r.chance(0.8) ? r.pick(names) : encodeURIComponent(randomString(r, 6).replace(/[\ud800-\udfff]/g, "?"))}=${queryValue(r)}`);
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

function jobId(r: Random, targets: Targets): string {
  if (targets.jobIds.length > 0 && r.chance(0.5)) return r.pick(targets.jobIds);
  return r.pick([() => crypto.randomUUID(), () => encodeURIComponent(randomString(r, 20).replace(/[\ud800-\udfff]/g, "?")) || "x", () => queryValue(r) || "y", () => "a".repeat(300)])();
}

function restRequest(r: Random, targets: Targets): { method: string; path: string; body?: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (r.chance(0.8)) headers["content-type"] = r.pick(["application/json", "text/plain", "application/json; charset=utf-16", "multipart/form-data", "x/y"]);
  if (r.chance(0.1)) headers["idempotency-key"] = r.pick(["", "k", "x".repeat(300), "ünï".replace(/[^\x20-\x7e]/g, "?")]);
  switch (r.int(8)) {
    case 0:
    case 1:
      return { method: "POST", path: "/v1/jobs", body: body(r, submission(r), ["type", "input", "key", "labels", "external", "leaseSeconds"]), headers };
    case 2:
      return { method: "GET", path: `/v1/jobs${query(r, ["type", "status", "label", "limit", "cursor"])}`, headers };
    case 3:
      return { method: "GET", path: `/v1/jobs/${jobId(r, targets)}${r.chance(0.7) ? `/events${query(r, ["after", "limit"])}` : ""}`, headers };
    case 4:
      return { method: "POST", path: `/v1/jobs/${jobId(r, targets)}/events`, body: body(r, report(r), ["kind", "current", "total", "result", "error", "chunk"]), headers };
    case 5:
      return { method: "POST", path: `/v1/jobs/${jobId(r, targets)}/${r.chance(0.8) ? r.pick(CONTROLS) : queryValue(r) || "z"}`, body: r.chance(0.5) ? body(r, {}, ["x"]) : undefined, headers };
    case 6:
      return { method: "GET", path: `/v1/stream${query(r, ["channel", "since", "ticket"])}`, headers };
    default:
      return {
        method: r.pick(["PUT", "DELETE", "PATCH", "GET", "POST"]),
        path: r.pick(["/v1/jobs", `/v1/jobs/${jobId(r, targets)}`, "/v1/ws", "/v1/tickets", "/v1", `/v1/${queryValue(r)}`, "/v1/jobs//events"]),
        body: r.chance(0.3) ? randomString(r, 50) : undefined,
        headers,
      };
  }
}

async function fuzzRest(url: string, r: Random, targets: Targets, count: number, tally: RestTally): Promise<void> {
  for (let index = 0; index < count; index++) {
    const request = restRequest(r, targets);
    const response = await fetch(url + request.path, { method: request.method, headers: request.headers, body: request.method === "GET" ? undefined : request.body });
    tally.requests++;
    const label = `${request.method} ${request.path.slice(0, 60)} ${request.body?.slice(0, 60) ?? ""}`;
    if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
      await response.body?.cancel();
      tally.statuses[`${response.status} stream`] = (tally.statuses[`${response.status} stream`] ?? 0) + 1;
      continue;
    }
    const text = await response.text();
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      tally.problems.push(`${response.status} non-JSON answer to ${label}: ${text.slice(0, 80)}`);
      continue;
    }
    if (response.status >= 400) {
      const code = parsed?.error?.code;
      tally.statuses[`${response.status} ${code}`] = (tally.statuses[`${response.status} ${code}`] ?? 0) + 1;
      if (!(code in ERROR_CODES) || ERROR_CODES[code as keyof typeof ERROR_CODES] !== response.status || code === "internal") {
        tally.problems.push(`${response.status} ${code} for ${label}`);
      }
      if (typeof parsed?.error?.message !== "string") tally.problems.push(`no message for ${label}`);
    } else {
      tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1;
      if (request.path === "/v1/jobs" && request.method === "POST" && typeof parsed.id === "string" && targets.jobIds.length < 500) targets.jobIds.push(parsed.id);
    }
  }
}

async function queueBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^jobcast_queue_bytes\{[^}]*\} (-?\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

describe(`fuzzing the hub (seed ${SEED}, FUZZ_SEED=${SEED} to replay)`, () => {
  let hub: RunningHub;
  before(async () => {
    console.log(`fuzz seed ${SEED} on ${runtime}`);
    hub = await startHub({
      maxFrameBytes: MAX_FRAME_BYTES,
      maxBodyBytes: MAX_BODY_BYTES,
      // Generous enough that most frames reach the parser; bursts still meet the limit now and then.
      framesPerSecond: 3_000,
      frameBurst: 400,
      submitsPerSecond: 500,
      submitBurst: 200,
    });
  });
  after(() => hub.stop());

  it("answers random frames and requests only with documented errors, and a well-behaved client misses nothing", { timeout: 60_000 }, async () => {
    const started = Date.now();
    const heapBefore = runtime === "node" ? heapUsed() : 0;
    const { body: watched } = await api(hub.url, "POST", "/v1/jobs", { type: "ext", external: true, leaseSeconds: 600 });
    const client = await TestSocket.open(hub.wsUrl);
    const all = await client.subscribe("jobs");
    const one = await client.subscribe(`job:${watched.id}`);
    assert.equal(all.op, "subscribed");
    assert.equal(one.op, "subscribed");

    let fuzzing = true;
    let reports = 0;
    const reporter = (async () => {
      const kinds = [
        () => ({ kind: "progress", current: reports, total: 100_000 }),
        () => ({ kind: "log", message: `report ${reports}` }),
        () => ({ kind: "phase", phase: `phase-${reports}` }),
        () => ({ kind: "output", chunk: `line ${reports}\n` }),
        () => ({ kind: "scope", scope: "s", current: reports, total: null }),
      ];
      while (fuzzing) {
        const response = await api(hub.url, "POST", `/v1/jobs/${watched.id}/events`, kinds[reports % kinds.length]!());
        assert.equal(response.status, 200, JSON.stringify(response.body));
        reports++;
        await sleep(20);
      }
      assert.equal((await api(hub.url, "POST", `/v1/jobs/${watched.id}/events`, { kind: "complete", result: { reports } })).status, 200);
    })();

    const targets: Targets = { epoch: all.pos.split(":")[0], jobIds: [] };
    const ws: WsTally = { sent: 0, replies: {}, closes: {}, problems: [] };
    const rest: RestTally = { requests: 0, statuses: {}, problems: [] };
    const timed = async (parts: Promise<void>[]) => {
      await Promise.all(parts);
      return Date.now() - started;
    };
    const fuzzed = Promise.all([
      timed(Array.from({ length: CONNECTIONS }, (_, index) => fuzzSocket(hub.wsUrl, prng(SEED + index), targets, FRAMES_PER_CONNECTION, ws))),
      timed(Array.from({ length: REST_CONCURRENCY }, (_, index) => fuzzRest(hub.url, prng(SEED + 1_000 + index), targets, REST_REQUESTS / REST_CONCURRENCY, rest))),
    ]).finally(() => (fuzzing = false));
    const [fuzzedResult, reporterResult] = await Promise.allSettled([fuzzed, reporter]);
    if (fuzzedResult.status === "rejected") throw fuzzedResult.reason;
    if (reporterResult.status === "rejected") throw reporterResult.reason;
    const [wsMs, restMs] = fuzzedResult.value;
    console.log(JSON.stringify({ runtime, seed: SEED, wsMs, restMs, frames: ws.sent, replies: ws.replies, closes: ws.closes, requests: rest.requests, statuses: rest.statuses, reports }));

    assert.deepEqual(ws.problems.slice(0, 20), [], "WebSocket replies");
    assert.deepEqual(rest.problems.slice(0, 20), [], "REST answers");
    assert.ok(ws.sent >= CONNECTIONS * FRAMES_PER_CONNECTION);
    assert.ok(!("1011" in ws.closes), "no internal close");

    const health = await api(hub.url, "GET", "/healthz");
    assert.equal(health.status, 200);

    const { body: final } = await api(hub.url, "GET", `/v1/jobs/${watched.id}`);
    assert.equal(final.status, "completed");
    assert.equal(all.snapshot.find((job: { id: string }) => job.id === watched.id).seq, one.snapshot.seq, "no report before both subscriptions");
    const expected = Array.from({ length: final.seq - one.snapshot.seq }, (_, index) => one.snapshot.seq + 1 + index);
    for (const name of [`job:${watched.id}`, "jobs"]) {
      const seqs = await eventually(() => {
        const seen = client.events(name).filter((frame) => frame.event.jobId === watched.id).map((frame) => frame.event.seq);
        return seen.at(-1) === final.seq ? seen : undefined;
      }, 10_000, `every event of the watched job on ${name}`);
      assert.deepEqual(seqs, expected, `${name}: every seq in order, no gap, no duplicate`);
    }
    const last = client.events(`job:${watched.id}`).at(-1);
    assert.equal(last.event.kind, "status");
    assert.equal(last.event.status, "completed");
    assert.equal(client.closeCode, undefined, "the well-behaved client stayed connected");
    client.close();

    await eventually(async () => (await queueBytes(hub.url)) < 1_024, 10_000, "send queues to drain");
    if (runtime === "node") {
      const growth = heapUsed() - heapBefore;
      console.log(`heap growth ${Math.round(growth / 1_048_576)} MB`);
      assert.ok(growth < 200 * 1_048_576, `heap grew ${growth} bytes`);
    }
  });
});
