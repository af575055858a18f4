import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, eventually, type RunningHub, startHub } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";

const MAX_QUEUE_BYTES = 256 * 1024;

async function queueBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^jobcast_queue_bytes\{[^}]*\} (-?\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe("a client that stops reading", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ maxQueueBytes: MAX_QUEUE_BYTES, maxBodyBytes: 1_048_576 });
  });
  after(() => hub.stop());

  it("is disconnected with slow_consumer, keeps the hub's memory bounded, and resumes; others keep flowing", async () => {
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "bulk", external: true, leaseSeconds: 600 });
    const healthy = await TestSocket.open(hub.wsUrl);
    const slow = await TestSocket.open(hub.wsUrl);
    await healthy.subscribe(`job:${job.id}`);
    const subscribed = await slow.subscribe(`job:${job.id}`);
    slow.socket.pause();

    const reports = 150;
    const chunk = "x".repeat(32 * 1024);
    let peak = 0;
    for (let index = 0; index < reports; index++) {
      const response = await api(hub.url, "POST", `/v1/jobs/${job.id}/events`, { kind: "output", chunk });
      assert.equal(response.status, 200);
      if (index % 10 === 0) peak = Math.max(peak, await queueBytes(hub.url));
    }
    // The bound is checked before a message is let in, so one message may overshoot it.
    assert.ok(peak <= MAX_QUEUE_BYTES + 200 * 1024, `queued ${peak} bytes`);

    const outputs = await eventually(() => {
      const seen = healthy.events().filter((frame) => frame.event.kind === "output");
      return seen.length === reports ? seen : undefined;
    }, 20_000, "every output event at the healthy client");
    assert.equal(outputs.length, reports);

    slow.socket.resume();
    assert.equal(await slow.closed, 4001);
    await eventually(async () => (await queueBytes(hub.url)) === 0, 5_000, "queues to drain");
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    assert.match(metrics, /jobcast_disconnects_total\{transport="websocket",reason="slow_consumer"\} 1/);

    const received = slow.events();
    const lastPos = received.at(-1)?.pos ?? subscribed.pos;
    const again = await TestSocket.open(hub.wsUrl);
    const resumed = await again.subscribe(`job:${job.id}`, lastPos);
    assert.equal(resumed.recovered, true);
    const { body: final } = await api(hub.url, "GET", `/v1/jobs/${job.id}`);
    const expected = Array.from({ length: final.seq - subscribed.snapshot.seq }, (_, index) => subscribed.snapshot.seq + 1 + index);
    const rest = await eventually(() => {
      const frames = again.events();
      return frames.at(-1)?.event.seq === final.seq ? frames : undefined;
    }, 20_000, "the replay");
    const seqs = [...received, ...rest].map((frame) => frame.event.seq);
    assert.deepEqual(seqs, expected, "no gap, no duplicate");
    healthy.close();
    again.close();
  });
});
