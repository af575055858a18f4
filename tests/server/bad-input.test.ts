import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, type RunningHub, startHub } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";

describe("bad input", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ maxFrameBytes: 1024, maxBodyBytes: 4096, maxSubscriptions: 3 });
  });
  after(() => hub.stop());

  it("answers every bad frame with a documented error and keeps the connection", async () => {
    const socket = await TestSocket.open(hub.wsUrl);
    const cases: [unknown, string][] = [
      ["{not json", "bad_json"],
      ["[1,2]", "invalid_frame"],
      ['"subscribe"', "invalid_frame"],
      [{ op: "teleport", id: 1 }, "unknown_op"],
      [{ id: 2 }, "unknown_op"],
      [{ op: "subscribe", id: 3, channel: "queue:1" }, "unknown_channel"],
      [{ op: "subscribe", id: 4, channel: "job:" }, "unknown_channel"],
      [{ op: "subscribe", id: 5, channel: "job:../../etc" }, "unknown_channel"],
      [{ op: "subscribe", id: "six", channel: "jobs" }, "invalid_frame"],
      [{ op: "subscribe", id: 7, channel: "jobs", since: "yesterday" }, "invalid_frame"],
      [{ op: "subscribe", id: 8, channel: "jobs", extra: true }, "invalid_frame"],
      [{ op: "subscribe", id: 9, channel: "job:nope" }, "not_found"],
      [{ op: "unsubscribe", id: 10, channel: "jobs" }, "not_subscribed"],
      [{ op: "ping", id: 11, pad: "x".repeat(2000) }, "frame_too_large"],
    ];
    for (const [frame, code] of cases) {
      const from = socket.frames.length;
      socket.send(frame);
      const reply = await socket.next((reply) => reply.op === "error", 10_000, from);
      assert.equal(reply.code, code, `${JSON.stringify(frame).slice(0, 60)} → ${code}`);
      assert.equal(typeof reply.message, "string");
    }
    const withDetails = socket.frames.find((frame) => frame.code === "unknown_channel");
    assert.ok(Array.isArray(withDetails.details), "zod issues in details");
    socket.socket.send(Buffer.from([1, 2, 3]));
    assert.equal((await socket.next((reply) => reply.code === "invalid_frame" && reply.message.includes("binary"))).op, "error");
    const pong = await socket.request({ op: "ping" });
    assert.equal(pong.op, "pong", "still usable after bad frames");
    socket.close();
  });

  it("limits subscriptions per connection and refuses a duplicate", async () => {
    const socket = await TestSocket.open(hub.wsUrl);
    assert.equal((await socket.subscribe("jobs")).op, "subscribed");
    assert.equal((await socket.subscribe("jobs")).code, "already_subscribed");
    assert.equal((await socket.subscribe("jobs:a")).op, "subscribed");
    assert.equal((await socket.subscribe("jobs:b")).op, "subscribed");
    assert.equal((await socket.subscribe("jobs:c")).code, "too_many_subscriptions");
    socket.close();
  });

  it("closes a socket that sends a frame far over the limit (1009), without harming others", async () => {
    const bystander = await TestSocket.open(hub.wsUrl);
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "ext", external: true });
    await bystander.subscribe(`job:${job.id}`);
    const abuser = await TestSocket.open(hub.wsUrl);
    abuser.send("x".repeat(64 * 1024));
    assert.equal(await abuser.closed, 1009);
    await api(hub.url, "POST", `/v1/jobs/${job.id}/events`, { kind: "log", message: "still flowing" });
    const event = await bystander.next((frame) => frame.op === "event" && frame.event.kind === "log");
    assert.equal(event.event.message, "still flowing");
    bystander.close();
  });

  it("answers bad REST input with codes, messages and zod issues, and changes nothing", async () => {
    const before = (await api(hub.url, "GET", "/v1/jobs?limit=500")).body.jobs.length;
    // The last field marks refusals made before the schema is applied, which have no zod issues.
    const cases: [string, string, unknown, number, string, "before schema"?][] = [
      ["POST", "/v1/jobs", "{oops", 400, "bad_json"],
      ["POST", "/v1/jobs", { input: {} }, 400, "invalid_body"],
      ["POST", "/v1/jobs", { type: "extraction", surprise: 1 }, 400, "invalid_body"],
      ["POST", "/v1/jobs", { type: "no such type!" }, 400, "invalid_body"],
      ["POST", "/v1/jobs", { type: "unknown-type" }, 400, "unknown_job_type"],
      ["POST", "/v1/jobs", { type: "extraction", input: { durationMs: -1 } }, 400, "invalid_input"],
      ["POST", "/v1/jobs", { type: "extraction", labels: { team: 5 } }, 400, "invalid_body"],
      ["POST", "/v1/jobs", { type: "x", external: true, leaseSeconds: 0 }, 400, "invalid_body"],
      ["POST", "/v1/jobs", { type: "extraction", input: { pad: "x".repeat(5000) } }, 413, "body_too_large"],
      ["GET", "/v1/jobs?limit=lots", undefined, 400, "invalid_query"],
      ["GET", "/v1/jobs?status=sleeping", undefined, 400, "invalid_query"],
      ["GET", "/v1/jobs?label=novalue", undefined, 400, "invalid_query"],
      ["GET", "/v1/jobs/nope", undefined, 404, "not_found"],
      ["GET", "/v1/jobs/a%00b", undefined, 404, "not_found"],
      ["POST", "/v1/jobs", { type: "x", external: true, labels: { team: "a\u0000b" } }, 400, "invalid_body", "before schema"],
      ["POST", "/v1/jobs", '{"type":"x","external":true,"input":{"\\ud83d":1}}', 400, "invalid_body", "before schema"],
      ["GET", "/v1/jobs?type=%E5%84%", undefined, 400, "invalid_query", "before schema"],
      ["GET", "/v1/jobs/nope/events?after=4294967296", undefined, 400, "invalid_query"],
      ["GET", "/v1/nowhere", undefined, 404, "not_found"],
    ];
    for (const [method, path, body, status, code, beforeSchema] of cases) {
      const response = await api(hub.url, method, path, body);
      assert.equal(response.status, status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 50)}`);
      assert.equal(response.body.error.code, code, `${method} ${path}`);
      assert.equal(typeof response.body.error.message, "string");
      if (!beforeSchema && (code === "invalid_body" || code === "invalid_input" || code === "invalid_query")) {
        assert.ok(Array.isArray(response.body.error.details), "zod issues in details");
      }
    }
    assert.equal((await api(hub.url, "GET", "/v1/jobs?limit=500")).body.jobs.length, before, "no job created by bad input");
    const websocketOverHttp = await api(hub.url, "GET", "/v1/ws");
    assert.equal(websocketOverHttp.status, 426);
  });

  it("applies CORS for allowed origins only", async () => {
    const allowed = await fetch(`${hub.url}/v1/jobs`, { headers: { origin: "http://localhost:3000" } });
    assert.equal(allowed.headers.get("access-control-allow-origin"), "http://localhost:3000");
    await allowed.body?.cancel();
    const foreign = await fetch(`${hub.url}/v1/jobs`, { headers: { origin: "https://evil.example" } });
    assert.equal(foreign.headers.get("access-control-allow-origin"), null);
    await foreign.body?.cancel();
    const preflight = await fetch(`${hub.url}/v1/jobs`, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    assert.equal(preflight.status, 403);
    await preflight.body?.cancel();
  });
});
