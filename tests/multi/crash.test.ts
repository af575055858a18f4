import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { HubProcess } from "../support/hub-process.ts";
import { api } from "../support/hub.ts";
import { INSTANCE_LEASE_SECONDS, sharedDatabase, type SharedDatabase, submit, until } from "./instances.ts";

describe("an instance killed mid-job", () => {
  let database: SharedDatabase;
  before(async () => {
    database = await sharedDatabase();
  });
  after(() => database?.stop());

  it("leaves no job hanging: restartable jobs run again elsewhere, others fail with worker_lost", async () => {
    // The victim starts alone, so that it is the one that claims both jobs.
    const victim: HubProcess = await database.start("deno");
    const restartable = await submit(victim, "extraction", { durationMs: 3_000, records: 30_000 });
    const other = await submit(victim, "nl-to-sql", { durationMs: 60_000 });
    for (const job of [restartable, other]) {
      await until(victim, job.id, (current) => current.status === "running" && current.seq >= 3, "running");
    }
    const survivor = await database.start("node");

    await victim.kill("SIGKILL");
    const killedAt = Date.now();
    const lost = await until(survivor, other.id, (current) => current.status === "failed", "failed", 15_000);
    assert.equal(lost.error.code, "worker_lost");
    const tookOverAfter = (Date.now() - killedAt) / 1000;
    assert.ok(tookOverAfter < INSTANCE_LEASE_SECONDS + 5, `taken over after ${tookOverAfter} s`);

    const rerun = await until(survivor, restartable.id, (current) => current.status === "completed", "completed", 15_000);
    assert.equal(rerun.attempt, 2);
    const { body } = await api(survivor.url, "GET", `/v1/jobs/${restartable.id}/events`);
    const statuses = body.events.filter((event: any) => event.kind === "status").map((event: any) => `${event.status}#${event.job.attempt}`);
    assert.deepEqual(statuses, ["running#1", "queued#2", "running#2", "completed#2"]);
  });
});
