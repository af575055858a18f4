import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { HubProcess } from "../support/hub-process.ts";
import { api } from "../support/hub.ts";
import { TestStream } from "../support/sse-client.ts";
import { AUDIENCE, bearer, claims, hs256, ISSUER, SECRET } from "../support/tokens.ts";
import { sharedDatabase, type SharedDatabase } from "./instances.ts";

const JWT = { AUTH: "jwt", JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
const tenant = (name: string) => ({ channels: ["job:*"], submit: ["*"], labels: { tenant: name } });

describe("AUTH=jwt on two hub instances on one database: SSE tickets", () => {
  let database: SharedDatabase;
  let node: HubProcess;
  let deno: HubProcess;
  let acme: string;
  let globex: string;
  before(async () => {
    database = await sharedDatabase();
    [node, deno] = await Promise.all([database.start("node", JWT), database.start("deno", JWT)]);
    acme = await hs256(claims(tenant("acme")));
    globex = await hs256(claims({ ...tenant("globex"), sub: "user-2" }));
  });
  after(() => database?.stop());

  /** An outside job, with its producer token for reports. */
  const externalJob = async (hub: HubProcess, token: string) => {
    const { status, body } = await api(hub.url, "POST", "/v1/jobs", { type: "ext", external: true, leaseSeconds: 60 }, bearer(token));
    assert.equal(status, 201, JSON.stringify(body));
    return body;
  };
  const ticketFrom = async (hub: HubProcess, token: string): Promise<string> => {
    const { status, body } = await api(hub.url, "POST", "/v1/tickets", undefined, bearer(token));
    assert.equal(status, 201, JSON.stringify(body));
    return body.ticket;
  };
  const streamUrl = (hub: HubProcess, channels: string[], ticket: string) =>
    `${hub.url}/v1/stream?${channels.map((channel) => `channel=${channel}`).join("&")}&ticket=${encodeURIComponent(ticket)}`;
  const refused = async (url: string) => {
    const response = await fetch(url);
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.code, "unauthorized");
  };

  for (const [issuerName, readerName] of [["node", "deno"], ["deno", "node"]] as const) {
    it(`opens a stream on the ${readerName} instance with a ticket from the ${issuerName} one, once`, async () => {
      const hubs = { node, deno };
      const [issuer, reader] = [hubs[issuerName], hubs[readerName]];
      const job = await externalJob(issuer, acme);
      const ticket = await ticketFrom(issuer, acme);

      const stream = await TestStream.open(streamUrl(reader, [`job:${job.id}`], ticket));
      try {
        assert.equal(stream.response.status, 200);
        const snapshot = await stream.next((message) => message.event === "snapshot");
        assert.equal(snapshot.data.snapshot.id, job.id);
        const report = await api(issuer.url, "POST", `/v1/jobs/${job.id}/events`, { kind: "log", message: "reported to the issuer" }, bearer(job.producerToken));
        assert.equal(report.status, 200, JSON.stringify(report.body));
        const event = await stream.next((message) => message.event === "job" && message.data.event.kind === "log");
        assert.equal(event.data.event.message, "reported to the issuer");
      } finally {
        stream.close();
      }

      await refused(streamUrl(issuer, [`job:${job.id}`], ticket));
      await refused(streamUrl(reader, [`job:${job.id}`], ticket));
    });
  }

  it("grants on the other instance exactly the scope of the token it was issued for", async () => {
    const own = await externalJob(node, acme);
    const foreign = await externalJob(node, globex);
    const stream = await TestStream.open(streamUrl(deno, [`job:${own.id}`, `job:${foreign.id}`], await ticketFrom(node, acme)));
    try {
      assert.equal(stream.response.status, 200);
      const snapshot = await stream.next((message) => message.event === "snapshot");
      assert.equal(snapshot.data.channel, `job:${own.id}`);
      const error = await stream.next((message) => message.event === "error");
      assert.deepEqual([error.data.channel, error.data.code], [`job:${foreign.id}`, "not_found"]);
    } finally {
      stream.close();
    }
  });

  it("refuses a made-up ticket on every instance", async () => {
    const job = await externalJob(node, acme);
    await refused(streamUrl(node, [`job:${job.id}`], "made-up"));
    await refused(streamUrl(deno, [`job:${job.id}`], "made-up"));
  });
});
