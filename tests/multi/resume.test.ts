import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { HubProcess } from "../support/hub-process.ts";
import { api } from "../support/hub.ts";
import { type SseMessage, TestStream } from "../support/sse-client.ts";
import { contiguous, sharedDatabase, type SharedDatabase } from "./instances.ts";

describe("resuming across an instance restart", () => {
  let database: SharedDatabase;
  let reader: HubProcess;
  let writer: HubProcess;
  before(async () => {
    database = await sharedDatabase();
    [reader, writer] = await Promise.all([database.start("node"), database.start("deno")]);
  });
  after(() => database?.stop());

  it("gives an SSE client that resumes with Last-Event-ID every event, with no gap and no duplicate", async () => {
    // An outside worker reports to the instance that stays up; the client reads from the one that restarts.
    const { body: job } = await api(writer.url, "POST", "/v1/jobs", { type: "export", external: true, leaseSeconds: 60 });
    let step = 0;
    const report = async (count: number) => {
      for (let index = 0; index < count; index++) {
        step++;
        const { status } = await api(writer.url, "POST", `/v1/jobs/${job.id}/events`, { kind: "log", message: `step ${step}` });
        assert.equal(status, 200);
      }
    };
    const stepsSeen = (stream: TestStream) => stream.jobEvents().filter((data) => data.event.kind === "log").length;
    const url = `${reader.url}/v1/stream?channel=job:${job.id}`;

    const first = await TestStream.open(url);
    const snapshot = await first.next((message) => message.event === "snapshot");
    await report(5);
    await first.next(() => stepsSeen(first) === 5);
    const lastEventId = first.lastEventId!;

    await reader.kill("SIGKILL");
    await first.done;
    await report(5);
    await reader.restart();
    await report(2);

    const resumed = await TestStream.open(url, { "last-event-id": lastEventId });
    const resnapshot = await resumed.next((message: SseMessage) => message.event === "snapshot");
    assert.equal(resnapshot.data.recovered, true);
    await api(writer.url, "POST", `/v1/jobs/${job.id}/events`, { kind: "complete", result: { rows: 12 } });
    await resumed.next((message) => message.event === "job" && message.data.event.job.status === "completed");
    resumed.close();

    const seqs = [...first.jobEvents(), ...resumed.jobEvents()].map((data) => data.event.seq);
    assert.ok(contiguous(seqs, snapshot.data.snapshot.seq + 1), `every event once, in order: ${seqs}`);
    const messages = [...first.jobEvents(), ...resumed.jobEvents()].filter((data) => data.event.kind === "log").map((data) => data.event.message);
    assert.deepEqual(messages, Array.from({ length: 12 }, (_, index) => `step ${index + 1}`));
  });
});
