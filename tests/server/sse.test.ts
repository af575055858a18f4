import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, eventually, type RunningHub, startHub } from "../support/hub.ts";
import { TestStream } from "../support/sse-client.ts";

describe("Server-Sent Events", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ sseHeartbeatMs: 200 });
  });
  after(() => hub.stop());

  const external = async (type = "ext") => (await api(hub.url, "POST", "/v1/jobs", { type, external: true, leaseSeconds: 600 })).body;
  const report = (id: string, body: unknown) => api(hub.url, "POST", `/v1/jobs/${id}/events`, body);

  it("sends a snapshot per channel, then job events, heartbeats and a retry hint", async () => {
    const [first, second] = [await external(), await external("other")];
    const stream = await TestStream.open(`${hub.url}/v1/stream?channel=job:${first.id}&channel=jobs:other`);
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get("content-type") ?? "", /text\/event-stream/);
    const snapshotOne = await stream.next((message) => message.event === "snapshot" && message.data.channel === `job:${first.id}`);
    const snapshotTwo = await stream.next((message) => message.event === "snapshot" && message.data.channel === "jobs:other");
    assert.equal(snapshotOne.data.snapshot.id, first.id);
    assert.ok(snapshotTwo.data.snapshot.some((job: any) => job.id === second.id));
    await report(first.id, { kind: "log", message: "hello" });
    await report(second.id, { kind: "phase", phase: "p1" });
    const one = await stream.next((message) => message.event === "job" && message.data.event.kind === "log");
    const two = await stream.next((message) => message.event === "job" && message.data.event.kind === "phase");
    assert.equal(one.data.channel, `job:${first.id}`);
    assert.equal(two.data.channel, "jobs:other");
    assert.equal(one.id, one.data.pos);
    assert.equal(stream.retry, 2000);
    await eventually(() => stream.comments >= 2, 3_000, "heartbeat comments");
    assert.ok(stream.messages.filter((message) => message.event === "ping").length >= 2, "heartbeats visible to EventSource");
    stream.close();
  });

  it("resumes every channel from Last-Event-ID with no gap and no duplicate", async () => {
    const [first, second] = [await external(), await external()];
    const channels = `channel=job:${first.id}&channel=job:${second.id}`;
    const stream = await TestStream.open(`${hub.url}/v1/stream?${channels}`);
    await stream.next((message) => message.event === "snapshot" && message.data.channel === `job:${second.id}`);
    await report(first.id, { kind: "log", message: "a1" });
    await report(second.id, { kind: "log", message: "b1" });
    await stream.next((message) => message.event === "job" && message.data.event.message === "b1");
    const lastEventId = stream.lastEventId!;
    stream.close();

    await report(first.id, { kind: "log", message: "a2" });
    await report(second.id, { kind: "log", message: "b2" });
    await report(first.id, { kind: "log", message: "a3" });

    const resumed = await TestStream.open(`${hub.url}/v1/stream?${channels}`, { "last-event-id": lastEventId });
    const snapshots = await eventually(() => {
      const found = resumed.messages.filter((message) => message.event === "snapshot");
      return found.length === 2 ? found : undefined;
    });
    assert.ok(snapshots.every((message) => message.data.recovered === true));
    await report(second.id, { kind: "log", message: "b3" });
    await resumed.next((message) => message.event === "job" && message.data.event.message === "b3");
    // Each channel replays in order; channels catch up one after the other.
    const messagesOf = (id: string) => resumed.jobEvents().filter((data) => data.event.jobId === id).map((data) => data.event.message);
    assert.deepEqual(messagesOf(first.id), ["a2", "a3"]);
    assert.deepEqual(messagesOf(second.id), ["b2", "b3"]);
    for (const job of [first, second]) {
      const seqs = resumed.jobEvents().filter((data) => data.event.jobId === job.id).map((data) => data.event.seq);
      assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b));
    }
    resumed.close();
  });

  it("prefers the browser's newer Last-Event-ID over the since of the original URL", async () => {
    const job = await external();
    const first = await TestStream.open(`${hub.url}/v1/stream?channel=job:${job.id}`);
    // The first id comes once the stream is live; events before it carry none.
    const since = await eventually(() => first.lastEventId, 5_000, "the stream's first id");
    await report(job.id, { kind: "log", message: "seen" });
    // The job's first report also starts it: a status event comes before the log line.
    await first.next((message) => message.event === "job" && message.data.event.message === "seen");
    const newer = first.lastEventId!;
    first.close();
    await report(job.id, { kind: "log", message: "missed" });
    const resumed = await TestStream.open(`${hub.url}/v1/stream?channel=job:${job.id}&since=${since}`, { "last-event-id": newer });
    await resumed.next((message) => message.event === "job" && message.data.event.message === "missed");
    assert.deepEqual(resumed.jobEvents().map((data) => data.event.message), ["missed"]);
    resumed.close();
  });

  it("gives a fresh snapshot when Last-Event-ID is from another epoch", async () => {
    const job = await external();
    await report(job.id, { kind: "phase", phase: "only" });
    const stream = await TestStream.open(`${hub.url}/v1/stream?channel=job:${job.id}`, { "last-event-id": "gone:12" });
    const snapshot = await stream.next((message) => message.event === "snapshot");
    assert.equal(snapshot.data.recovered, false);
    assert.equal(snapshot.data.snapshot.phase, "only");
    stream.close();
  });

  it("delivers the ending of a job to a client that reconnects after it", async () => {
    const job = await external();
    const stream = await TestStream.open(`${hub.url}/v1/stream?channel=job:${job.id}`);
    await stream.next((message) => message.event === "snapshot");
    const lastEventId = stream.lastEventId!;
    stream.close();
    await report(job.id, { kind: "complete", result: { ok: true } });
    const resumed = await TestStream.open(`${hub.url}/v1/stream?channel=job:${job.id}`, { "last-event-id": lastEventId });
    const ending = await resumed.next((message) => message.event === "job" && message.data.event.status === "completed");
    assert.deepEqual(ending.data.event.job.result, { ok: true });
    assert.ok(resumed.messages.find((message) => message.event === "snapshot")?.data.recovered);
    resumed.close();
  });

  it("reports an unknown job on its channel and keeps the others", async () => {
    const job = await external();
    const stream = await TestStream.open(`${hub.url}/v1/stream?channel=job:missing&channel=job:${job.id}`);
    const error = await stream.next((message) => message.event === "error");
    assert.equal(error.data.channel, "job:missing");
    assert.equal(error.data.code, "not_found");
    await stream.next((message) => message.event === "snapshot" && message.data.channel === `job:${job.id}`);
    stream.close();
  });

  it("refuses bad requests and foreign origins with a JSON error", async () => {
    const none = await api(hub.url, "GET", "/v1/stream");
    assert.equal(none.status, 400);
    assert.equal(none.body.error.code, "invalid_query");
    const badChannel = await api(hub.url, "GET", "/v1/stream?channel=queue:1");
    assert.equal(badChannel.status, 400);
    assert.equal(badChannel.body.error.code, "unknown_channel");
    assert.ok(Array.isArray(badChannel.body.error.details));
    const foreign = await api(hub.url, "GET", "/v1/stream?channel=jobs", undefined, { origin: "https://evil.example" });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error.code, "forbidden_origin");
  });
});
