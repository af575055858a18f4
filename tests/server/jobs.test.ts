import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { defineJob } from "../../server/jobs/define.ts";
import { demoJobs } from "../../server/jobs/demo/index.ts";
import { api, eventually, type RunningHub, sleep, startHub } from "../support/hub.ts";
import { testJob } from "../support/jobs.ts";

/** A job that waits at every step, so tests can act on it while it runs. */
const slowSteps = defineJob({
  type: "slow-steps",
  input: z.object({ steps: z.number().int().default(200) }).strict(),
  phases: [{ name: "work" }, { name: "publish", irreversible: true }],
  async *run(ctx) {
    yield ctx.phase("work");
    for (let step = 1; step <= ctx.input.steps; step++) {
      await ctx.sleep(20);
      yield ctx.progress(step, ctx.input.steps);
    }
    yield ctx.phase("publish");
    return { steps: ctx.input.steps };
  },
  async *rollback(ctx) {
    yield ctx.log("undoing work");
    yield ctx.phase("work", "reverting");
  },
});

/** A job that never reports, to be flagged stalled. */
const silent = defineJob({
  type: "silent",
  input: z.object({}).strict(),
  pausable: false,
  async *run(ctx) {
    yield ctx.progress(0, 10);
    await ctx.sleep(60_000);
  },
});

describe("jobs", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ jobs: [...demoJobs, slowSteps, silent], stallAfterMs: 300, superviseEveryMs: 50 });
  });
  after(() => hub.stop());

  const submit = async (type: string, input: Record<string, unknown> = {}) => {
    const { status, body } = await api(hub.url, "POST", "/v1/jobs", { type, input });
    assert.equal(status, 201, JSON.stringify(body));
    return body;
  };
  const status = async (id: string) => (await api(hub.url, "GET", `/v1/jobs/${id}`)).body;
  const until = (id: string, wanted: string | ((job: any) => boolean), ms = 15_000) =>
    eventually(async () => {
      const job = await status(id);
      return (typeof wanted === "string" ? job.status === wanted : wanted(job)) ? job : undefined;
    }, ms, `job ${id} to be ${typeof wanted === "string" ? wanted : "ready"}`);
  const control = (id: string, name: string) => api(hub.url, "POST", `/v1/jobs/${id}/${name}`);

  for (const type of ["extraction", "migration", "data-quality", "nl-to-sql", "context-generation"]) {
    it(`runs ${type} to completion, and to failed with input.fail`, async () => {
      const [ok, failing] = await Promise.all([submit(type, { durationMs: 400 }), submit(type, { durationMs: 400, fail: true })]);
      const completed = await until(ok.id, "completed");
      assert.notEqual(completed.result, null);
      assert.equal(completed.error, null);
      assert.ok(completed.finishedAt);
      const failed = await until(failing.id, "failed");
      assert.match(failed.error.code, /^[a-z_]+$/);
      assert.notEqual(failed.error.code, "handler_error");
      assert.deepEqual(failed.controls.includes("retry"), true);
    });
  }

  it("reports phases, scopes and throttle for a migration", async () => {
    const job = await submit("migration", { durationMs: 1200 });
    const done = await until(job.id, "completed");
    const { body } = await api(hub.url, "GET", `/v1/jobs/${job.id}/events`);
    const phases = body.events.filter((event: any) => event.kind === "phase").map((event: any) => event.phase);
    assert.deepEqual(phases, ["preflight", "schema", "copy", "verify", "cutover", "cleanup"]);
    assert.ok(done.scopes.length >= 3);
    assert.ok(done.phases.find((phase: any) => phase.name === "cutover").irreversible);
    assert.ok(body.events.some((event: any) => event.kind === "throttle" && event.reason));
  });

  it("pauses, resumes and cancels a running job", async () => {
    const job = await submit("slow-steps");
    await until(job.id, (current) => current.progress.current >= 2);
    const paused = await control(job.id, "pause");
    assert.equal(paused.status, 200);
    assert.equal(paused.body.status, "paused");
    assert.deepEqual(paused.body.controls.sort(), ["cancel", "resume", "rollback"]);
    await sleep(150);
    const heldAt = (await status(job.id)).progress.current;
    await sleep(250);
    assert.ok((await status(job.id)).progress.current <= heldAt + 1, "a paused job makes no progress");
    assert.equal((await control(job.id, "resume")).body.status, "running");
    await until(job.id, (current) => current.progress.current > heldAt + 1);
    const cancelling = await control(job.id, "cancel");
    assert.ok(["cancelling", "cancelled"].includes(cancelling.body.status));
    await until(job.id, "cancelled");
  });

  it("cancels a queued job at once", async () => {
    const busy = await startHub({ jobs: [slowSteps], concurrency: 1 });
    try {
      const first = (await api(busy.url, "POST", "/v1/jobs", { type: "slow-steps" })).body;
      const second = (await api(busy.url, "POST", "/v1/jobs", { type: "slow-steps" })).body;
      await eventually(async () => (await api(busy.url, "GET", `/v1/jobs/${first.id}`)).body.status === "running");
      assert.equal((await api(busy.url, "GET", `/v1/jobs/${second.id}`)).body.status, "queued");
      const cancelled = await api(busy.url, "POST", `/v1/jobs/${second.id}/cancel`);
      assert.equal(cancelled.body.status, "cancelled");
      assert.equal((await api(busy.url, "POST", `/v1/jobs/${first.id}/cancel`)).status, 200);
    } finally {
      await busy.stop();
    }
  });

  it("rolls back before the point of no return, and retries", async () => {
    const job = await submit("slow-steps", { steps: 100 });
    await until(job.id, (current) => current.progress.current >= 1);
    const rolling = await control(job.id, "rollback");
    assert.equal(rolling.body.status, "rolling_back");
    const rolledBack = await until(job.id, "rolled_back");
    assert.deepEqual(rolledBack.controls, ["retry"]);
    const { body } = await api(hub.url, "GET", `/v1/jobs/${job.id}/events`);
    assert.ok(body.events.some((event: any) => event.kind === "log" && event.message === "undoing work"));
    const retried = await control(job.id, "retry");
    assert.equal(retried.status, 200);
    assert.equal(retried.body.attempt, 2);
    await until(job.id, (current) => current.status === "running" && current.attempt === 2);
    await control(job.id, "cancel");
    await until(job.id, "cancelled");
  });

  it("rolls back a job that was cancelled, running the rollback once", async () => {
    const job = await submit("slow-steps", { steps: 100 });
    await until(job.id, (current) => current.progress.current >= 1);
    await control(job.id, "cancel");
    const cancelled = await until(job.id, "cancelled");
    assert.ok(cancelled.controls.includes("rollback"));
    assert.equal((await control(job.id, "rollback")).body.status, "rolling_back");
    await until(job.id, "rolled_back");
    const { body } = await api(hub.url, "GET", `/v1/jobs/${job.id}/events`);
    assert.equal(body.events.filter((event: any) => event.kind === "log" && event.message === "undoing work").length, 1);
  });

  it("ends a job left cancelling or rolling back by a lost instance, instead of running it again", async () => {
    // As a hub instance that died mid-stop would leave them: its lease over, no instance running them.
    const expired = new Date(Date.now() - 1_000).toISOString();
    const { engine } = hub.hub.context;
    const cancelling = (await engine.create(testJob({ type: "extraction", status: "cancelling", leaseExpiresAt: expired }))).job;
    const rollingBack = (await engine.create(testJob({ type: "slow-steps", status: "rolling_back", leaseExpiresAt: expired }))).job;
    assert.equal((await until(cancelling.id, "cancelled")).attempt, 1);
    const failed = await until(rollingBack.id, "failed");
    assert.equal(failed.error.code, "worker_lost");
    assert.ok(failed.controls.includes("rollback"), "the rollback can be started again");
  });

  it("refuses rollback past an irreversible phase", async () => {
    const job = await submit("slow-steps", { steps: 1 });
    await until(job.id, "completed");
    const refused = await control(job.id, "rollback");
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "job_finished");
    assert.equal(refused.body.error.details.status, "completed");
  });

  it("answers every illegal control with 409 and the current status", async () => {
    const job = await submit("extraction", { durationMs: 100 });
    await until(job.id, "completed");
    for (const name of ["cancel", "pause", "resume", "retry", "rollback"]) {
      const refused = await control(job.id, name);
      assert.equal(refused.status, 409, name);
      assert.equal(refused.body.error.details.status, "completed");
      assert.match(refused.body.error.message, new RegExp(name));
    }
    const running = await submit("slow-steps");
    await until(running.id, "running");
    for (const name of ["resume", "retry"]) {
      const refused = await control(running.id, name);
      assert.equal(refused.status, 409, name);
      assert.equal(refused.body.error.code, "conflict");
      assert.equal(refused.body.error.details.status, "running");
    }
    const unknown = await control(running.id, "explode");
    assert.equal(unknown.status, 404);
    const missing = await control("no-such-job", "cancel");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "not_found");
    await control(running.id, "cancel");
  });

  it("flags a job that stops making progress as stalled, distinct from a lost worker", async () => {
    const job = await submit("silent");
    const stalled = await until(job.id, (current) => current.stalled === true, 5_000);
    assert.equal(stalled.status, "running");
    const { body } = await api(hub.url, "GET", `/v1/jobs/${job.id}/events`);
    assert.ok(body.events.some((event: any) => event.kind === "stalled" && event.stalled === true));
    const cancelled = await control(job.id, "cancel");
    assert.equal(cancelled.status, 200);
    const ended = await until(job.id, "cancelled");
    assert.equal(ended.stalled, false);
  });
});
