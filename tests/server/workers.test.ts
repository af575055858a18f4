import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, eventually, type RunningHub, startHub } from "../support/hub.ts";

describe("outside workers", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ superviseEveryMs: 50 });
  });
  after(() => hub.stop());

  const report = (id: string, body: unknown) => api(hub.url, "POST", `/v1/jobs/${id}/events`, body);

  it("reports progress, phases, logs, output and completion over HTTP", async () => {
    const created = await api(hub.url, "POST", "/v1/jobs", { type: "nightly-export", external: true, leaseSeconds: 60 });
    assert.equal(created.status, 201);
    assert.equal(created.body.external, true);
    assert.equal(created.body.status, "queued");
    const id = created.body.id;

    const phase = await report(id, { kind: "phase", phase: "export", message: "exporting orders" });
    assert.equal(phase.status, 200);
    assert.equal(phase.body.status, "running");
    assert.equal(phase.body.phase, "export");

    const batch = await report(id, [
      { kind: "progress", current: 10, total: 100, unit: "files" },
      { kind: "log", level: "warn", message: "slow disk" },
      { kind: "output", chunk: "orders.csv\n" },
      { kind: "progress", current: 60, total: 100 },
    ]);
    assert.equal(batch.status, 200);
    const live = await eventually(async () => {
      const { body } = await api(hub.url, "GET", `/v1/jobs/${id}`);
      return body.progress.current === 60 ? body : undefined;
    });
    assert.equal(live.progress.unit, "files");
    assert.equal(live.progress.percent, 60);
    assert.equal(live.output, "orders.csv\n");

    const done = await report(id, { kind: "complete", result: { files: 100 } });
    assert.equal(done.body.status, "completed");
    assert.deepEqual(done.body.result, { files: 100 });
    assert.equal(done.body.progress.percent, 100);

    const events = (await api(hub.url, "GET", `/v1/jobs/${id}/events`)).body.events.map((event: any) => event.kind);
    assert.deepEqual(events.filter((kind: string) => kind !== "progress"), ["created", "status", "phase", "log", "output", "status"]);
    // The warn log comes after the progress sample reported before it.
    assert.ok(events.indexOf("progress") < events.indexOf("log"));

    const late = await report(id, { kind: "progress", current: 1 });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, "job_finished");
  });

  it("fails with an error the worker gives", async () => {
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "nightly-export", external: true });
    const failed = await report(job.id, { kind: "fail", error: { code: "disk_full", message: "no space left" } });
    assert.equal(failed.body.status, "failed");
    assert.deepEqual(failed.body.error, { code: "disk_full", message: "no space left" });
  });

  it("ends a job whose worker goes silent past its lease as worker_lost", async () => {
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "nightly-export", external: true, leaseSeconds: 1 });
    await report(job.id, { kind: "progress", current: 1, total: 10 });
    const lost = await eventually(async () => {
      const { body } = await api(hub.url, "GET", `/v1/jobs/${job.id}`);
      return body.status === "failed" ? body : undefined;
    }, 5_000, "worker_lost");
    assert.equal(lost.error.code, "worker_lost");
    assert.ok(Date.parse(lost.finishedAt) - Date.parse(lost.startedAt) >= 900);
    const late = await report(job.id, { kind: "progress", current: 2 });
    assert.equal(late.status, 409);
  });

  it("keeps a job alive while its worker reports within the lease", async () => {
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "nightly-export", external: true, leaseSeconds: 1 });
    for (let step = 1; step <= 6; step++) {
      await report(job.id, { kind: "log", message: `step ${step}` });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.equal((await api(hub.url, "GET", `/v1/jobs/${job.id}`)).body.status, "running");
    const cancelled = await api(hub.url, "POST", `/v1/jobs/${job.id}/cancel`);
    assert.equal(cancelled.body.status, "cancelled");
    assert.equal((await report(job.id, { kind: "log", message: "still here" })).status, 409);
  });

  it("refuses reports for in-process jobs and invalid reports", async () => {
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "extraction", input: { durationMs: 2000 } });
    const refused = await report(job.id, { kind: "progress", current: 1 });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "not_external");
    const { body: external } = await api(hub.url, "POST", "/v1/jobs", { type: "x", external: true });
    const invalid = await report(external.id, { kind: "progress", current: -5 });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, "invalid_body");
    assert.ok(Array.isArray(invalid.body.error.details));
    const unknownKind = await report(external.id, { kind: "teleport" });
    assert.equal(unknownKind.status, 400);
    assert.equal((await api(hub.url, "GET", `/v1/jobs/${external.id}`)).body.status, "queued", "bad reports change nothing");
    await api(hub.url, "POST", `/v1/jobs/${job.id}/cancel`);
  });
});
