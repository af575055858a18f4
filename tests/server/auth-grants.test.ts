import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, eventually, type RunningHub, sleep, startHub } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";
import { TestStream } from "../support/sse-client.ts";
import { bearer, claims, hs256, SECRET } from "../support/tokens.ts";

const acme = { tenant: "acme" };
const globex = { tenant: "globex" };
/** Everything, within one tenant. */
const admin = (labels: Record<string, string>) => ({ channels: ["*"], submit: ["*"], controls: ["cancel", "pause", "resume"], report: true, labels });

describe("AUTH=jwt grants and tenant scoping", () => {
  let hub: RunningHub;
  let acmeToken: string;
  let globexToken: string;
  before(async () => {
    hub = await startHub({ auth: { secret: SECRET } });
    acmeToken = await hs256(claims(admin(acme)));
    globexToken = await hs256(claims({ ...admin(globex), sub: "user-2" }));
  });
  after(() => hub.stop());

  const as = (token: string) => ({
    post: (path: string, body?: unknown) => api(hub.url, "POST", path, body ?? {}, bearer(token)),
    get: (path: string) => api(hub.url, "GET", path, undefined, bearer(token)),
  });
  const socket = async (token: string) => {
    const ws = await TestSocket.open(hub.wsUrl);
    const authed = await ws.request({ op: "auth", token });
    assert.equal(authed.op, "authed");
    return ws;
  };
  const stream = async (token: string, channels: string[]) => {
    const { body } = await as(token).post("/v1/tickets");
    return await TestStream.open(`${hub.url}/v1/stream?${channels.map((channel) => `channel=${channel}`).join("&")}&ticket=${body.ticket}`);
  };

  it("submit: allowed for a granted type, refused for another; the token's labels win over the body's", async () => {
    const token = await hs256(claims({ submit: ["extraction"], channels: ["job:*"], labels: acme }));
    const allowed = await as(token).post("/v1/jobs", { type: "extraction", input: { durationMs: 50 }, labels: { tenant: "globex", team: "data" } });
    assert.equal(allowed.status, 201);
    assert.deepEqual(allowed.body.labels, { tenant: "acme", team: "data" });
    const refused = await as(token).post("/v1/jobs", { type: "migration" });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "forbidden");
  });

  it("channels: REST reads, WebSocket and SSE subscriptions follow the grant", async () => {
    const { body: job } = await as(acmeToken).post("/v1/jobs", { type: "ext", external: true, leaseSeconds: 600 });
    const narrow = await hs256(claims({ channels: ["jobs:ext"], labels: acme }));
    assert.equal((await as(narrow).get("/v1/jobs?type=ext")).status, 200);
    assert.equal((await as(narrow).get(`/v1/jobs/${job.id}`)).status, 200, "jobs:<type> reads its jobs");
    assert.equal((await as(narrow).get("/v1/jobs")).status, 403);
    assert.equal((await as(narrow).get("/v1/jobs?type=migration")).status, 403);

    const ws = await socket(narrow);
    assert.equal((await ws.subscribe("jobs:ext")).op, "subscribed");
    assert.equal((await ws.subscribe(`job:${job.id}`)).op, "subscribed");
    const refused = await ws.subscribe("jobs");
    assert.equal(refused.code, "forbidden");
    ws.close();

    const sse = await stream(narrow, ["jobs:ext", "jobs:migration"]);
    assert.equal((await sse.next((message) => message.event === "snapshot")).data.channel, "jobs:ext");
    assert.equal((await sse.next((message) => message.event === "error")).data.code, "forbidden");
    sse.close();
  });

  it("controls: allowed when granted, refused otherwise", async () => {
    const { body: job } = await as(acmeToken).post("/v1/jobs", { type: "ext", external: true, leaseSeconds: 600 });
    const viewer = await hs256(claims({ channels: ["jobs"], controls: ["pause"], labels: acme }));
    const refused = await as(viewer).post(`/v1/jobs/${job.id}/cancel`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "forbidden");
    assert.equal((await as(acmeToken).post(`/v1/jobs/${job.id}/cancel`)).body.status, "cancelled");
  });

  it("report: the producer token and report: true tokens may report; others may not", async () => {
    const created = await as(acmeToken).post("/v1/jobs", { type: "ext", external: true, leaseSeconds: 600 });
    const { id, producerToken } = created.body;
    assert.match(producerToken, /^jcp_/);
    assert.equal((await api(hub.url, "POST", `/v1/jobs/${id}/events`, { kind: "log", message: "hi" }, bearer(producerToken))).status, 200);
    assert.equal((await as(acmeToken).post(`/v1/jobs/${id}/events`, { kind: "log", message: "as admin" })).status, 200);
    const noReport = await hs256(claims({ channels: ["jobs"], labels: acme }));
    const refused = await as(noReport).post(`/v1/jobs/${id}/events`, { kind: "log", message: "nope" });
    assert.equal(refused.status, 403);

    const { body: other } = await as(acmeToken).post("/v1/jobs", { type: "ext", external: true, leaseSeconds: 600 });
    const wrongJob = await api(hub.url, "POST", `/v1/jobs/${other.id}/events`, { kind: "log", message: "x" }, bearer(producerToken));
    assert.equal(wrongJob.status, 404, "a producer token is worth its own job only");
    const forged = await api(hub.url, "POST", `/v1/jobs/${id}/events`, { kind: "log", message: "x" }, bearer(`${producerToken.slice(0, -4)}AAAA`));
    assert.equal(forged.status, 401);
    assert.equal((await api(hub.url, "GET", `/v1/jobs/${id}`, undefined, bearer(producerToken))).status, 404, "a producer token reads nothing");
  });

  it("another tenant's job answers exactly like a missing one, everywhere", async () => {
    const { body: job } = await as(globexToken).post("/v1/jobs", { type: "ext", external: true, leaseSeconds: 600 });
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const [method, suffix, body] of [["GET", "", undefined], ["GET", "/events", undefined], ["POST", "/cancel", undefined], ["POST", "/events", { kind: "log", message: "x" }]] as const) {
      const hidden = await api(hub.url, method, `/v1/jobs/${job.id}${suffix}`, body, bearer(acmeToken));
      const absent = await api(hub.url, method, `/v1/jobs/${missing}${suffix}`, body, bearer(acmeToken));
      assert.equal(hidden.status, 404, `${method} ${suffix}`);
      assert.equal(hidden.body.error.code, absent.body.error.code);
      assert.equal(hidden.body.error.message.replace(job.id, "ID"), absent.body.error.message.replace(missing, "ID"));
    }
    const ws = await socket(acmeToken);
    assert.equal((await ws.subscribe(`job:${job.id}`)).code, "not_found");
    ws.close();
    const sse = await stream(acmeToken, [`job:${job.id}`]);
    assert.equal((await sse.next((message) => message.event === "error")).data.code, "not_found");
    sse.close();
    assert.equal((await as(globexToken).get(`/v1/jobs/${job.id}`)).status, 200);
    await as(globexToken).post("/v1/jobs", { type: "ext", external: true, key: "shared-key" });
    const reused = await as(acmeToken).post("/v1/jobs", { type: "ext", external: true, key: "shared-key" });
    assert.equal(reused.status, 409, "an idempotency key of another tenant never returns its job");
  });

  it("a watcher of jobs in tenant A receives nothing of tenant B while B's jobs run", async () => {
    const ws = await socket(acmeToken);
    const wsSnapshot = await ws.subscribe("jobs");
    const sse = await stream(acmeToken, ["jobs", "jobs:extraction"]);
    await sse.next((message) => message.event === "snapshot" && message.data.channel === "jobs:extraction");
    const listed = await as(acmeToken).get("/v1/jobs?limit=500");

    const { body: theirs } = await as(globexToken).post("/v1/jobs", { type: "extraction", input: { durationMs: 200 } });
    const { body: ours } = await as(acmeToken).post("/v1/jobs", { type: "extraction", input: { durationMs: 200 } });
    for (const id of [theirs.id, ours.id]) {
      await eventually(async () => (await api(hub.url, "GET", `/v1/jobs/${id}`, undefined, bearer(id === ours.id ? acmeToken : globexToken))).body.status === "completed", 10_000, "jobs to finish");
    }
    await eventually(() => ws.events().some((frame) => frame.event.jobId === ours.id && frame.event.job.status === "completed"), 5_000, "our ending over WebSocket");
    await eventually(() => sse.jobEvents().some((data) => data.event.jobId === ours.id && data.event.job.status === "completed"), 5_000, "our ending over SSE");
    await sleep(100);

    const isGlobex = (job: any) => job.labels.tenant !== "acme";
    assert.ok(!wsSnapshot.snapshot.some(isGlobex));
    assert.ok(!ws.events().some((frame) => isGlobex(frame.event.job)), "no event of tenant B over WebSocket");
    assert.ok(!sse.messages.some((message) => message.event === "snapshot" && message.data.snapshot.some(isGlobex)));
    assert.ok(!sse.jobEvents().some((data) => isGlobex(data.event.job)), "no event of tenant B over SSE");
    assert.ok(!listed.body.jobs.some(isGlobex));
    assert.ok(!(await as(acmeToken).get("/v1/jobs?limit=500")).body.jobs.some(isGlobex));
    assert.deepEqual((await as(acmeToken).get("/v1/jobs?label=tenant=globex")).body.jobs, []);
    assert.ok((await as(globexToken).get("/v1/jobs")).body.jobs.some((job: any) => job.id === theirs.id));
    ws.close();
    sse.close();
  });
});
