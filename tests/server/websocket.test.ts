import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, eventually, type RunningHub, sleep, startHub } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";

describe("WebSocket", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ heartbeatMs: 300, snapshotLimit: 500 });
  });
  after(() => hub.stop());

  const submit = async (type: string, input: Record<string, unknown> = {}) => (await api(hub.url, "POST", "/v1/jobs", { type, input })).body;
  const external = async () => (await api(hub.url, "POST", "/v1/jobs", { type: "ext", external: true, leaseSeconds: 600 })).body;
  const report = (id: string, body: unknown) => api(hub.url, "POST", `/v1/jobs/${id}/events`, body);

  it("carries several jobs on one connection: snapshot, events, unsubscribe, ping", async () => {
    const socket = await TestSocket.open(hub.wsUrl);
    const welcome = await socket.next((frame) => frame.op === "welcome");
    assert.equal(welcome.epoch, hub.hub.context.engine.epoch);
    const [first, second] = await Promise.all([submit("extraction", { durationMs: 600 }), submit("nl-to-sql", { durationMs: 600 })]);
    const subscribedFirst = await socket.subscribe(`job:${first.id}`);
    const subscribedSecond = await socket.subscribe(`job:${second.id}`);
    for (const [frame, job] of [[subscribedFirst, first], [subscribedSecond, second]]) {
      assert.equal(frame.op, "subscribed");
      assert.equal(frame.snapshot.id, job.id);
      assert.equal(frame.recovered, false);
      assert.match(frame.pos, /^[A-Za-z0-9_-]+:\d+$/);
    }
    for (const job of [first, second]) {
      const ending = await socket.next((frame) => frame.op === "event" && frame.event.jobId === job.id && frame.event.job.status === "completed");
      assert.equal(ending.channel, `job:${job.id}`);
    }
    for (const job of [first, second]) {
      const seqs = socket.events(`job:${job.id}`).map((frame) => frame.event.seq);
      assert.ok(seqs.length > 2);
      assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), "strictly increasing seq, no duplicates");
    }
    const pong = await socket.request({ op: "ping" });
    assert.equal(pong.op, "pong");
    const unsubscribed = await socket.request({ op: "unsubscribe", channel: `job:${first.id}` });
    assert.deepEqual(unsubscribed, { op: "unsubscribed", id: unsubscribed.id, channel: `job:${first.id}` });
    socket.close();
  });

  it("shows an ended job at once when subscribing after it ended", async () => {
    const job = await submit("extraction", { durationMs: 50 });
    await eventually(async () => (await api(hub.url, "GET", `/v1/jobs/${job.id}`)).body.status === "completed");
    const socket = await TestSocket.open(hub.wsUrl);
    const subscribed = await socket.subscribe(`job:${job.id}`);
    assert.equal(subscribed.snapshot.status, "completed");
    socket.close();
  });

  it("streams the jobs and jobs:<type> channels", async () => {
    const socket = await TestSocket.open(hub.wsUrl);
    const all = await socket.subscribe("jobs");
    const migrations = await socket.subscribe("jobs:migration");
    assert.ok(Array.isArray(all.snapshot));
    assert.ok(Array.isArray(migrations.snapshot));
    assert.ok(migrations.snapshot.every((job: any) => job.type === "migration"));
    const migration = await submit("migration", { durationMs: 300 });
    const other = await submit("extraction", { durationMs: 100 });
    await socket.next((frame) => frame.op === "event" && frame.channel === "jobs:migration" && frame.event.jobId === migration.id && frame.event.job.status === "completed");
    await socket.next((frame) => frame.op === "event" && frame.channel === "jobs" && frame.event.jobId === other.id && frame.event.job.status === "completed");
    assert.ok(socket.events("jobs:migration").every((frame) => frame.event.job.type === "migration"));
    assert.ok(socket.events("jobs").some((frame) => frame.event.jobId === migration.id));
    socket.close();
  });

  it("resumes with since: replays missed events (recovered: true)", async () => {
    const job = await external();
    const socket = await TestSocket.open(hub.wsUrl);
    await socket.subscribe(`job:${job.id}`);
    await report(job.id, { kind: "log", message: "one" });
    const seen = await socket.next((frame) => frame.op === "event" && frame.event.kind === "log");
    socket.terminate();
    await report(job.id, [{ kind: "log", message: "two" }, { kind: "phase", phase: "load" }, { kind: "log", message: "three" }]);

    const again = await TestSocket.open(hub.wsUrl);
    const resumed = await again.subscribe(`job:${job.id}`, seen.pos);
    assert.equal(resumed.recovered, true);
    assert.equal(resumed.snapshot.phase, "load");
    const replayed = await eventually(() => {
      const events = again.events(`job:${job.id}`);
      return events.length >= 3 ? events : undefined;
    });
    assert.deepEqual(replayed.map((frame) => frame.event.seq), [seen.event.seq + 1, seen.event.seq + 2, seen.event.seq + 3]);
    assert.deepEqual(replayed.map((frame) => frame.event.message ?? frame.event.phase), ["two", "load", "three"]);
    await report(job.id, { kind: "complete" });
    const ending = await again.next((frame) => frame.op === "event" && frame.event.job.status === "completed");
    assert.equal(ending.event.seq, seen.event.seq + 4, "no gap and no duplicate after the replay");
    again.close();
  });

  it("resumes with since from another epoch: a fresh snapshot (recovered: false)", async () => {
    const job = await external();
    await report(job.id, { kind: "phase", phase: "extract" });
    const socket = await TestSocket.open(hub.wsUrl);
    const resumed = await socket.subscribe(`job:${job.id}`, "otherepoch:3");
    assert.equal(resumed.recovered, false);
    assert.equal(resumed.snapshot.phase, "extract");
    assert.equal(resumed.snapshot.seq, 3);
    assert.ok(resumed.pos.startsWith(`${hub.hub.context.engine.epoch}:`));
    await sleep(100);
    assert.equal(socket.events().length, 0, "nothing replayed when history cannot be trusted");
    socket.close();
  });

  it("resumes past the end of history: a fresh snapshot (recovered: false)", async () => {
    const small = await startHub({ replayLimit: 3 });
    try {
      const job = (await api(small.url, "POST", "/v1/jobs", { type: "ext", external: true })).body;
      const socket = await TestSocket.open(small.wsUrl);
      const subscribed = await socket.subscribe(`job:${job.id}`);
      socket.close();
      for (let index = 0; index < 10; index++) await api(small.url, "POST", `/v1/jobs/${job.id}/events`, { kind: "log", message: `line ${index}` });
      const again = await TestSocket.open(small.wsUrl);
      const resumed = await again.subscribe(`job:${job.id}`, subscribed.pos);
      assert.equal(resumed.recovered, false);
      assert.equal(resumed.snapshot.seq, job.seq + 11);
      again.close();
    } finally {
      await small.stop();
    }
  });

  it("sends heartbeats and drops a client that does not answer them", async () => {
    const socket = await TestSocket.open(hub.wsUrl, { autoPong: false });
    await socket.next((frame) => frame.op === "ping");
    const code = await socket.closed;
    assert.equal(code, 4000);
    const answering = await TestSocket.open(hub.wsUrl);
    await sleep(1_000);
    assert.equal(answering.closeCode, undefined, "a client that answers stays connected");
    answering.close();
  });

  it("refuses a foreign Origin and accepts localhost and the hub's own", async () => {
    await assert.rejects(TestSocket.open(hub.wsUrl, { origin: "https://evil.example" }), (error: any) => error.status === 403);
    const local = await TestSocket.open(hub.wsUrl, { origin: "http://localhost:5173" });
    await local.next((frame) => frame.op === "welcome");
    local.close();
    const own = await TestSocket.open(hub.wsUrl, { origin: hub.url });
    own.close();
  });

  it("honours an explicit allowlist", async () => {
    const strict = await startHub({ allowedOrigins: ["https://portal.example"] });
    try {
      await assert.rejects(TestSocket.open(strict.wsUrl, { origin: "http://localhost:5173" }), (error: any) => error.status === 403);
      const allowed = await TestSocket.open(strict.wsUrl, { origin: "https://portal.example" });
      allowed.close();
    } finally {
      await strict.stop();
    }
  });
});
