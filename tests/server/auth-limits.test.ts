import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, eventually, type RunningHub, startHub } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";
import { TestStream } from "../support/sse-client.ts";

async function rateLimited(url: string, what: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^jobcast_rate_limited_total\\{what="${what}"\\} (\\d+)`, "m").exec(text)?.[1] ?? 0);
}

describe("limits (AUTH=none)", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ maxConnectionsPerIp: 3, framesPerSecond: 5, frameBurst: 10, submitsPerSecond: 1, submitBurst: 3 });
  });
  after(() => hub.stop());

  it("refuses submissions over the rate with 429 rate_limited and Retry-After", async () => {
    const answers = [];
    for (let index = 0; index < 5; index++) answers.push(await api(hub.url, "POST", "/v1/jobs", { type: "ext", external: true }));
    assert.deepEqual(answers.map((answer) => answer.status), [201, 201, 201, 429, 429]);
    assert.equal(answers[3]!.body.error.code, "rate_limited");
    assert.ok(Number(answers[3]!.headers.get("retry-after")) >= 1);
    assert.equal(await rateLimited(hub.url, "submissions"), 2);
  });

  it("answers frames over the rate with rate_limited error frames, and keeps the connection", async () => {
    const ws = await TestSocket.open(hub.wsUrl);
    for (let id = 1; id <= 15; id++) ws.send({ op: "ping", id });
    // Replies may arrive in any order (a refusal is sent at once, a pong after the frame is handled),
    // so wait for all fifteen before counting.
    const [errors, pongs] = await eventually(() => {
      const found = ws.frames.filter((frame) => frame.op === "error" && frame.code === "rate_limited");
      const answered = ws.frames.filter((frame) => frame.op === "pong");
      return found.length + answered.length >= 15 ? [found, answered] : undefined;
    }, 5_000, "fifteen replies");
    assert.deepEqual(errors.map((error: { id: number }) => error.id), [11, 12, 13, 14, 15]);
    assert.deepEqual(pongs.map((pong: { id: number }) => pong.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await ws.request({ op: "ping" })).op, "pong", "the bucket refills");
    assert.equal(await rateLimited(hub.url, "frames"), 5);
    ws.close();
  });

  it("refuses connections over the per-IP limit, across transports, and frees them on close", async () => {
    const first = await TestSocket.open(hub.wsUrl);
    const second = await TestSocket.open(hub.wsUrl);
    const stream = await TestStream.open(`${hub.url}/v1/stream?channel=jobs`);
    await stream.next((message) => message.event === "snapshot");
    await assert.rejects(TestSocket.open(hub.wsUrl), (error: { status?: number }) => error.status === 429);
    const refused = await fetch(`${hub.url}/v1/stream?channel=jobs`);
    assert.equal(refused.status, 429);
    assert.equal((await refused.json()).error.code, "too_many_connections");
    assert.equal(await rateLimited(hub.url, "connections"), 2);
    first.close();
    await first.closed;
    await eventually(async () => {
      try {
        const again = await TestSocket.open(hub.wsUrl);
        again.close();
        return true;
      } catch {
        return false;
      }
    }, 5_000, "a freed slot");
    second.close();
    stream.close();
  });
});
