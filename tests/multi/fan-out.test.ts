import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { HubProcess } from "../support/hub-process.ts";
import { api, sleep } from "../support/hub.ts";
import { TestSocket } from "../support/ws-client.ts";
import { contiguous, getJob, ownerAndPeer, sharedDatabase, type SharedDatabase, submit, until } from "./instances.ts";

describe("two hub instances on one database: fan-out and controls", () => {
  let database: SharedDatabase;
  let node: HubProcess;
  let deno: HubProcess;
  before(async () => {
    database = await sharedDatabase();
    [node, deno] = await Promise.all([database.start("node"), database.start("deno")]);
  });
  after(() => database?.stop());

  /** A job that runs long enough to be controlled, and the instance that runs it. */
  const longJob = async () => {
    const job = await submit(node, "extraction", { durationMs: 60_000, records: 1_000_000 });
    await until(node, job.id, (current) => current.status === "running" && current.progress.current > 0, "running");
    return { job, ...(await ownerAndPeer([node, deno])) };
  };
  const control = async (hub: HubProcess, id: string, name: string) => {
    const { status, body } = await api(hub.url, "POST", `/v1/jobs/${id}/${name}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  };

  it("streams a job submitted on one instance to its end to a WebSocket client of the other", async () => {
    const socket = await TestSocket.open(deno.wsUrl);
    try {
      const job = await submit(node, "nl-to-sql", { durationMs: 800 });
      const subscribed = await socket.subscribe(`job:${job.id}`);
      assert.equal(subscribed.op, "subscribed");
      const ending = await socket.next((frame) => frame.op === "event" && frame.event.job.status === "completed");
      // An event committed while the snapshot was read may come after it too; clients keep the newest seq.
      const seqs = socket.events(`job:${job.id}`).map((frame) => frame.event.seq).filter((seq) => seq > subscribed.snapshot.seq);
      assert.ok(contiguous(seqs, subscribed.snapshot.seq + 1), `every event once, in order: ${seqs}`);
      assert.equal(seqs.at(-1), ending.event.seq);
      assert.equal((await getJob(node, job.id)).seq, ending.event.seq);
    } finally {
      socket.close();
    }
  });

  it("cancels a job through the instance that does not run it", async () => {
    const { job, owner, peer } = await longJob();
    const socket = await TestSocket.open(owner.wsUrl);
    try {
      await socket.subscribe(`job:${job.id}`);
      assert.equal((await control(peer, job.id, "cancel")).status, "cancelling");
      await socket.next((frame) => frame.op === "event" && frame.event.job.status === "cancelled");
      const statuses = socket.events().filter((frame) => frame.event.kind === "status").map((frame) => frame.event.status);
      assert.deepEqual(statuses, ["cancelling", "cancelled"]);
      assert.equal((await getJob(peer, job.id)).status, "cancelled");
    } finally {
      socket.close();
    }
  });

  it("pauses and resumes a job through the instance that does not run it", async () => {
    const { job, peer } = await longJob();
    assert.equal((await control(peer, job.id, "pause")).status, "paused");
    // Samples reported before the pause reached the owner may still land; then nothing moves.
    await sleep(400);
    const held = (await getJob(peer, job.id)).progress.current;
    await sleep(600);
    const still = await getJob(peer, job.id);
    assert.equal(still.status, "paused");
    assert.equal(still.progress.current, held, "a paused job makes no progress");

    assert.equal((await control(peer, job.id, "resume")).status, "running");
    await until(peer, job.id, (current) => current.progress.current > held, "moving again");
    await control(peer, job.id, "cancel");
    await until(peer, job.id, (current) => current.status === "cancelled", "cancelled");
  });
});
