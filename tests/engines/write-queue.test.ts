import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { foldChanges, type QueuedChange } from "../../server/engines/postgres/fold.ts";
import { WriteQueue } from "../../server/engines/postgres/write-queue.ts";
import type { Job, JobEvent } from "../../server/protocol/index.ts";
import { logLine, testJob, toProgress, toStatus } from "../support/jobs.ts";

/** A change whose outcome is recorded instead of awaited. */
function change(mutator: QueuedChange["mutator"], coalesce: boolean) {
  const outcome: { event?: JobEvent; error?: unknown; settled: boolean } = { settled: false };
  const queued: QueuedChange = {
    mutator,
    coalesce,
    resolve: (event) => Object.assign(outcome, { event, settled: true }),
    reject: (error) => Object.assign(outcome, { error, settled: true }),
  };
  return { queued, outcome };
}

describe("folding queued changes of one job", () => {
  it("keeps the newest of consecutive samples and every other event, in order", () => {
    const job = { ...testJob(), seq: 4 };
    const changes = [
      change(toProgress(1), true),
      change(toProgress(2), true),
      change(logLine("between"), false),
      change(toProgress(3), true),
      change(toProgress(4), true),
    ];
    const fold = foldChanges(job, changes.map((entry) => entry.queued));
    assert.deepEqual(fold.events.map((event) => [event.seq, event.kind, event.job.progress.current]), [[5, "progress", 2], [6, "log", 2], [7, "progress", 4]]);
    fold.settle();
    assert.deepEqual(changes.map(({ outcome }) => outcome.event?.seq), [5, 5, 6, 7, 7]);
  });

  it("does not merge a sample into a change that asked to be written as such", () => {
    const fold = foldChanges(testJob(), [change(toProgress(1), false).queued, change(toProgress(2), true).queued]);
    assert.deepEqual(fold.events.map((event) => event.seq), [1, 2]);
  });

  it("refuses only the change whose mutator throws, and answers undefined for no change or no job", () => {
    const refusal = new Error("refused");
    const entries = [
      change(toProgress(1), true),
      change(() => {
        throw refusal;
      }, true),
      change(() => undefined, false),
      change(toStatus("running"), false),
    ];
    const fold = foldChanges(testJob(), entries.map((entry) => entry.queued));
    fold.settle();
    assert.deepEqual(fold.events.map((event) => event.kind), ["progress", "status"]);
    assert.equal(entries[1]!.outcome.error, refusal);
    assert.deepEqual(entries[2]!.outcome, { event: undefined, settled: true });
    assert.equal(entries[3]!.outcome.event?.job.progress.current, 1);

    const missing = change(toStatus("running"), false);
    foldChanges(undefined, [missing.queued]).settle();
    assert.deepEqual(missing.outcome, { event: undefined, settled: true });
  });
});

describe("write queue", () => {
  /** A queue over in-memory jobs that records each commit's jobs and changes. */
  function queueOver(jobs: Job[], options = { flushDelayMs: 5, maxBatchJobs: 100, maxPending: 1_000 }) {
    const state = new Map(jobs.map((job) => [job.id, job]));
    const commits: { jobs: string[]; changes: number }[] = [];
    const writing = new Set<string>();
    let overlapped = false;
    const queue = new WriteQueue(async (work) => {
      for (const id of work.keys()) {
        if (writing.has(id)) overlapped = true;
        writing.add(id);
      }
      commits.push({ jobs: [...work.keys()], changes: [...work.values()].reduce((sum, changes) => sum + changes.length, 0) });
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (const [id, changes] of work) {
        const fold = foldChanges(state.get(id), changes);
        const last = fold.events.at(-1);
        if (last) state.set(id, last.job);
        fold.events.forEach((event, index) => (event.offset = index + 1));
        fold.settle();
        writing.delete(id);
      }
    }, options);
    return { queue, state, commits, overlapped: () => overlapped };
  }

  it("writes samples of many jobs in one batch", async () => {
    const jobs = [testJob(), testJob(), testJob()];
    const { queue, commits } = queueOver(jobs);
    await Promise.all(jobs.flatMap((job) => [1, 2, 3].map((value) => queue.submitSample(job.id, toProgress(value)))));
    assert.equal(commits.length, 1);
    assert.deepEqual(commits[0], { jobs: jobs.map((job) => job.id), changes: 9 });
  });

  it("writes a job's pending samples together with, and before, its next other change", async () => {
    const job = testJob();
    const { queue, commits, state } = queueOver([job]);
    const samples = [1, 2, 3].map((value) => queue.submitSample(job.id, toProgress(value)));
    const status = await queue.submit(job.id, toStatus("running"));
    await Promise.all(samples);
    assert.deepEqual(commits, [{ jobs: [job.id], changes: 4 }]);
    assert.equal(status?.job.progress.current, 3);
    assert.equal(state.get(job.id)?.seq, 2);
  });

  it("runs one job's writes one after another, in call order", async () => {
    const job = testJob();
    const { queue, state, overlapped } = queueOver([job]);
    const writes = [queue.submit(job.id, logLine("a")), queue.submitSample(job.id, toProgress(1)), queue.submit(job.id, logLine("b"))];
    const events = await Promise.all(writes);
    assert.deepEqual(events.map((event) => event?.seq), [1, 2, 3]);
    assert.equal(overlapped(), false);
    assert.equal(state.get(job.id)?.seq, 3);
  });

  it("holds at most maxPending samples; further samples wait for a batch", async () => {
    const jobs = [testJob(), testJob(), testJob()];
    const { queue } = queueOver(jobs, { flushDelayMs: 100, maxBatchJobs: 100, maxPending: 2 });
    const writes = jobs.map((job) => queue.submitSample(job.id, toProgress(1)));
    assert.equal(queue.pending, 2);
    const events = await Promise.all(writes);
    assert.ok(events.every((event) => event?.kind === "progress"));
    assert.equal(queue.pending, 0);
    await queue.drain();
    assert.equal(queue.activeJobs, 0);
  });

  it("keeps call order when samples are held back", async () => {
    const job = testJob();
    const { queue, state, overlapped } = queueOver([job], { flushDelayMs: 5, maxBatchJobs: 100, maxPending: 1 });
    const first = queue.submitSample(job.id, toProgress(1));
    const held = queue.submitSample(job.id, toProgress(2));
    const status = queue.submit(job.id, toStatus("running"));
    const events = await Promise.all([first, held, status]);
    assert.deepEqual(events.map((event) => event?.seq), [1, 2, 3]);
    assert.equal(events[2]?.job.progress.current, 2);
    assert.equal(state.get(job.id)?.status, "running");
    assert.equal(overlapped(), false);
  });
});
