import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, type RunningHub, startHub } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";
import { TestStream } from "../support/sse-client.ts";
import { bearer, claims, hs256, SECRET } from "../support/tokens.ts";

const watcher = { channels: ["jobs"], submit: ["*"] };

describe("AUTH=jwt over WebSocket and SSE", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ auth: { secret: SECRET, clockSkewSeconds: 0, authTimeoutMs: 300 } });
  });
  after(() => hub.stop());

  it("requires the auth frame first: another op is refused with unauthorized and 4401", async () => {
    const ws = await TestSocket.open(hub.wsUrl);
    ws.send({ op: "subscribe", id: 1, channel: "jobs" });
    assert.equal((await ws.next((frame) => frame.op === "error")).code, "unauthorized");
    assert.equal(await ws.closed, 4401);
    assert.ok(!ws.frames.some((frame) => frame.op === "subscribed"));
  });

  it("closes with 4401 when no auth frame comes in time, or when the token is refused", async () => {
    const silent = await TestSocket.open(hub.wsUrl);
    assert.equal(await silent.closed, 4401);
    assert.equal(silent.frames.find((frame) => frame.op === "error")?.code, "unauthorized");
    const forged = await TestSocket.open(hub.wsUrl);
    forged.send({ op: "auth", token: await hs256(claims(watcher), "a-different-secret-that-is-long-enough!!") });
    assert.equal(await forged.closed, 4401);
  });

  it("refreshes the token on an open socket, then closes with 4402 when it expires unrefreshed", async () => {
    const ws = await TestSocket.open(hub.wsUrl);
    const soon = Math.floor(Date.now() / 1000) + 2;
    const first = await ws.request({ op: "auth", token: await hs256(claims({ ...watcher, exp: soon })) });
    assert.equal(first.op, "authed");
    assert.equal(Date.parse(first.expiresAt), soon * 1000);
    assert.equal((await ws.subscribe("jobs")).op, "subscribed");

    const later = soon + 1;
    const refreshed = await ws.request({ op: "auth", token: await hs256(claims({ ...watcher, exp: later })) });
    assert.equal(refreshed.op, "authed");
    assert.equal(Date.parse(refreshed.expiresAt), later * 1000);
    const otherScope = await ws.request({ op: "auth", token: await hs256(claims({ ...watcher, labels: { tenant: "x" } })) });
    assert.equal(otherScope.code, "forbidden", "a refresh cannot change the scope");

    await new Promise((resolve) => setTimeout(resolve, soon * 1000 - Date.now() + 200));
    assert.equal(ws.closeCode, undefined, "the refreshed token outlives the first one");
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "ext", external: true }, bearer(await hs256(claims(watcher))));
    await ws.next((frame) => frame.op === "event" && frame.event.jobId === job.id);
    assert.equal(await ws.closed, 4402);
    assert.ok(Date.now() >= later * 1000);
  });

  it("SSE needs a ticket, used once", async () => {
    const token = await hs256(claims(watcher));
    assert.equal((await api(hub.url, "POST", "/v1/tickets")).status, 401);
    const issued = await api(hub.url, "POST", "/v1/tickets", undefined, bearer(token));
    assert.equal(issued.status, 201);
    assert.ok(Date.parse(issued.body.expiresAt) - Date.now() <= 30_000);
    const url = `${hub.url}/v1/stream?channel=jobs&ticket=${issued.body.ticket}`;
    const stream = await TestStream.open(url);
    assert.equal(stream.response.status, 200);
    await stream.next((message) => message.event === "snapshot");
    stream.close();

    const again = await fetch(url);
    assert.equal(again.status, 401);
    assert.equal((await again.json()).error.code, "unauthorized");
    const none = await fetch(`${hub.url}/v1/stream?channel=jobs`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
    const made = await fetch(`${hub.url}/v1/stream?channel=jobs&ticket=made-up`);
    assert.equal(made.status, 401);
    await made.body?.cancel();
  });
});

describe("SSE tickets expire", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ auth: { secret: SECRET, ticketTtlMs: 100 } });
  });
  after(() => hub.stop());

  it("refuses a ticket after its lifetime", async () => {
    const { body } = await api(hub.url, "POST", "/v1/tickets", undefined, bearer(await hs256(claims(watcher))));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const late = await fetch(`${hub.url}/v1/stream?channel=jobs&ticket=${body.ticket}`);
    assert.equal(late.status, 401);
    await late.body?.cancel();
  });
});
