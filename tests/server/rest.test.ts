import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, eventually, type RunningHub, startHub, testEngineName } from "../support/hub.ts";

describe("REST API", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub();
  });
  after(() => hub.stop());

  it("creates a job and reads it back", async () => {
    const created = await api(hub.url, "POST", "/v1/jobs", { type: "extraction", input: { durationMs: 200 }, labels: { team: "data" } });
    assert.equal(created.status, 201);
    assert.equal(created.body.type, "extraction");
    assert.equal(created.body.labels.team, "data");
    assert.ok(["queued", "running"].includes(created.body.status));
    const read = await api(hub.url, "GET", `/v1/jobs/${created.body.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.id, created.body.id);
  });

  it("is idempotent by key and by Idempotency-Key header", async () => {
    const first = await api(hub.url, "POST", "/v1/jobs", { type: "extraction", key: "nightly-1", input: { durationMs: 100 } });
    const again = await api(hub.url, "POST", "/v1/jobs", { type: "extraction", key: "nightly-1", input: { durationMs: 100 } });
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    const byHeader = await api(hub.url, "POST", "/v1/jobs", { type: "extraction", input: { durationMs: 100 } }, { "idempotency-key": "h-1" });
    const byHeaderAgain = await api(hub.url, "POST", "/v1/jobs", { type: "extraction", input: { durationMs: 100 } }, { "idempotency-key": "h-1" });
    assert.equal(byHeader.status, 201);
    assert.equal(byHeaderAgain.status, 200);
    assert.equal(byHeaderAgain.body.id, byHeader.body.id);
    assert.notEqual(byHeader.body.id, first.body.id);
  });

  it("lists with filters and pages with a cursor", async () => {
    for (let index = 0; index < 5; index++) {
      await api(hub.url, "POST", "/v1/jobs", { type: "data-quality", input: { durationMs: 50 }, labels: { batch: "paging" } });
    }
    const first = await api(hub.url, "GET", "/v1/jobs?type=data-quality&label=batch=paging&limit=2");
    assert.equal(first.status, 200);
    assert.equal(first.body.jobs.length, 2);
    assert.ok(first.body.nextCursor);
    const seen = new Set(first.body.jobs.map((job: { id: string }) => job.id));
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await api(hub.url, "GET", `/v1/jobs?type=data-quality&label=batch=paging&limit=2&cursor=${cursor}`);
      for (const job of page.body.jobs) {
        assert.ok(!seen.has(job.id), "no job twice across pages");
        seen.add(job.id);
      }
      cursor = page.body.nextCursor;
    }
    assert.equal(seen.size, 5);
    const none = await api(hub.url, "GET", "/v1/jobs?label=batch=nothing");
    assert.deepEqual(none.body.jobs, []);
  });

  it("returns the event history after a seq", async () => {
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "nl-to-sql", input: { durationMs: 300 } });
    await eventually(async () => (await api(hub.url, "GET", `/v1/jobs/${job.id}`)).body.status === "completed");
    const all = await api(hub.url, "GET", `/v1/jobs/${job.id}/events`);
    const seqs = all.body.events.map((event: { seq: number }) => event.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(seqs[0], 1);
    assert.equal(all.body.events[0].kind, "created");
    assert.equal(all.body.events.at(-1).job.status, "completed");
    const later = await api(hub.url, "GET", `/v1/jobs/${job.id}/events?after=3`);
    assert.ok(later.body.events.every((event: { seq: number }) => event.seq > 3));
    assert.ok(all.body.events.some((event: { kind: string }) => event.kind === "output"));
  });

  it("derives percent, rate and ETA from reported counts", async () => {
    const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "extraction", input: { durationMs: 1500, records: 30000 } });
    const sample = await eventually(async () => {
      const { body } = await api(hub.url, "GET", `/v1/jobs/${job.id}`);
      // The first samples sit at 0 while the job connects, which is a rate of 0: wait for reading.
      return body.status === "running" && body.progress.rate > 0 ? body : undefined;
    }, 5_000, "a rate");
    assert.equal(sample.progress.total, 30000);
    assert.ok(sample.progress.percent > 0 && sample.progress.percent < 100);
    assert.ok(Math.abs(sample.progress.percent - (sample.progress.current / 30000) * 100) < 0.11);
    assert.ok(sample.progress.rate > 0);
    assert.ok(sample.progress.etaSeconds !== null && sample.progress.etaSeconds >= 0);
  });

  it("serves health and metrics", async () => {
    const health = await api(hub.url, "GET", "/healthz");
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "ok");
    assert.equal(health.body.engine, testEngineName);
    const metrics = await fetch(`${hub.url}/metrics`);
    const text = await metrics.text();
    assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
    for (const name of ["jobcast_connections", "jobcast_subscriptions", "jobcast_events_committed_total", "jobcast_events_sent_total", "jobcast_progress_coalesced_total", "jobcast_queue_bytes", "jobcast_disconnects_total"]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, "m"));
    }
    assert.match(text, /jobcast_events_committed_total\{kind="created"\} [1-9]/);
  });

  it("serves the demo page with every widget", async () => {
    const response = await fetch(`${hub.url}/`);
    const html = await response.text();
    assert.equal(response.status, 200);
    for (const tag of ["job-progress", "<connection-indicator", "<migration-board", 'src="/widgets/jobcast.js"', 'data-type="migration"']) {
      assert.ok(html.includes(tag), `page has ${tag}`);
    }
  });
});
