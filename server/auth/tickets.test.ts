import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryEngine } from "../engines/memory.ts";
import type { TicketGrant } from "../protocol/index.ts";
import { type Access, accessFromClaims, producerAccess } from "./access.ts";
import { encodeBase64Url } from "./base64url.ts";
import { TicketStore } from "./tickets.ts";

/** An engine that shows what it was asked to store. */
class RecordingEngine extends MemoryEngine {
  readonly stored: { hash: string; grant: TicketGrant }[] = [];

  override async issueTicket(hash: string, grant: TicketGrant, expiresAt: number): Promise<void> {
    this.stored.push({ hash, grant });
    await super.issueTicket(hash, grant, expiresAt);
  }
}

const job = (labels: Record<string, string>) => ({ id: "job-1", type: "extraction", labels });

/** What an access allows, as data, so that two accesses compare with deepEqual. */
function powers(access: Access) {
  return {
    subject: access.subject,
    labels: access.labels,
    expiresAt: access.expiresAt,
    reads: ["jobs", "jobs:extraction", "jobs:migration", "job:job-1"].map((channel) => access.mayRead(channel)),
    submits: ["extraction", "migration"].map((type) => access.maySubmit(type)),
    controls: (["cancel", "pause", "resume", "retry", "rollback"] as const).map((control) => access.mayControl(control)),
    sees: [job({ tenant: "acme" }), job({ tenant: "globex" })].map((candidate) => access.sees(candidate)),
  };
}

describe("TicketStore", () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const token = accessFromClaims({
    sub: "user-1",
    exp,
    channels: ["jobs:extraction", "job:*"],
    submit: ["extraction"],
    controls: ["cancel"],
    report: false,
    labels: { tenant: "acme" },
  });

  it("stores only the SHA-256 of a ticket, never the ticket", async () => {
    const engine = new RecordingEngine();
    const issued = await new TicketStore(engine, 30_000, 10).issue(token);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(issued!.ticket));
    assert.deepEqual(engine.stored.map(({ hash }) => hash), [encodeBase64Url(new Uint8Array(digest))]);
    assert.ok(!JSON.stringify(engine.stored).includes(issued!.ticket));
  });

  it("grants exactly the access of the token, once, on any instance sharing the engine", async () => {
    const engine = new MemoryEngine();
    const [issuer, other] = [new TicketStore(engine, 30_000, 10), new TicketStore(engine, 30_000, 10)];
    const { ticket } = (await issuer.issue(token))!;
    assert.deepEqual(powers((await other.redeem(ticket))!), powers(token));
    assert.equal(await issuer.redeem(ticket), undefined);
    assert.equal(await other.redeem(ticket), undefined);
  });

  it("never outlives the token it was issued for", async () => {
    const store = new TicketStore(new MemoryEngine(), 30_000, 10);
    const now = exp * 1000 - 5_000;
    const { ticket, expiresAt } = (await store.issue(token, now))!;
    assert.equal(expiresAt, exp * 1000);
    assert.equal(await store.redeem(ticket, exp * 1000), undefined);
  });

  it("gives a producer token's ticket the producer token's access: its job's reports, no reading", async () => {
    const store = new TicketStore(new MemoryEngine(), 30_000, 10);
    const producer = producerAccess("job-1");
    const redeemed = (await store.redeem((await store.issue(producer))!.ticket))!;
    assert.deepEqual(powers(redeemed), powers(producer));
    assert.deepEqual(redeemed.grant, { kind: "producer", jobId: "job-1" });
  });

  it("issues at most maxTickets per ticket lifetime on one instance", async () => {
    const store = new TicketStore(new MemoryEngine(), 30_000, 3);
    const now = Date.now();
    for (let index = 0; index < 3; index++) assert.ok(await store.issue(token, now));
    assert.equal(await store.issue(token, now), undefined);
    assert.ok(await store.issue(token, now + 10_000), "a third of the lifetime later, a third of the tickets");
    assert.equal(await store.issue(token, now + 10_000), undefined);
  });
});
