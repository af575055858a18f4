import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import postgres from "postgres";
import { PostgresEngine, type PostgresEngineOptions } from "../../server/engines/postgres.ts";
import { MIGRATIONS } from "../../server/engines/postgres/migrations.ts";
import type { JobEvent, TicketGrant } from "../../server/protocol/index.ts";
import { logLine, testJob, toProgress, toStatus } from "../support/jobs.ts";
import { startTestPostgres, type TestPostgres } from "../support/postgres.ts";
import { eventually } from "../support/wait.ts";

describe("postgres engine across instances", () => {
  let server: TestPostgres;
  const open: { end(): Promise<unknown> }[] = [];

  /** An engine on the given database; not started, so that tests can start several at once. */
  const engineOn = (url: string, options: Partial<PostgresEngineOptions> = {}) => {
    const engine = new PostgresEngine({ url, poolSize: 4, ...options });
    open.push({ end: () => engine.stop() });
    return engine;
  };
  const started = async (url: string, options: Partial<PostgresEngineOptions> = {}) => {
    const engine = engineOn(url, options);
    await engine.start();
    return engine;
  };
  const client = (url: string) => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    open.push(sql);
    return sql;
  };
  const collect = (engine: PostgresEngine) => {
    const events: JobEvent[] = [];
    engine.onEvent((event) => events.push(event));
    return events;
  };

  before(async () => {
    server = await startTestPostgres();
  });
  afterEach(async () => {
    for (const resource of open.splice(0).reverse()) await resource.end();
  });
  after(async () => await server?.stop());

  it("migrates once when several instances start at the same time, and they share one epoch", async () => {
    const url = await server.createDatabase();
    const engines = [engineOn(url), engineOn(url), engineOn(url)];
    await Promise.all(engines.map((engine) => engine.start()));
    assert.equal(new Set(engines.map((engine) => engine.epoch)).size, 1);
    const versions = await client(url)<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`;
    assert.deepEqual(versions.map((row) => row.version), MIGRATIONS.map((migration) => migration.version));
  });

  it("keeps the epoch, the offsets and the jobs across a restart", async () => {
    const url = await server.createDatabase();
    const first = engineOn(url);
    await first.start();
    const { job, event } = await first.create(testJob());
    await first.stop();

    const second = await started(url);
    assert.equal(second.epoch, first.epoch);
    assert.equal(await second.headOffset(), event!.offset);
    assert.deepEqual(await second.get(job.id), job);
    const next = await second.mutate(job.id, toStatus("running"));
    assert.equal(next!.offset, event!.offset + 1);
    assert.deepEqual(await second.replay(0, {}, 10), { events: [event, next], complete: true });
  });

  it("delivers each instance's events to the other through NOTIFY", async () => {
    const url = await server.createDatabase();
    const a = await started(url);
    const b = await started(url);
    const seenByA = collect(a);
    const seenByB = collect(b);
    const { job, event: created } = await a.create(testJob());
    const running = await b.mutate(job.id, toStatus("running"));
    const logged = await a.mutate(job.id, logLine("from a"));
    await eventually(() => seenByA.length === 3 && seenByB.length === 3, 5_000, "both instances saw three events");
    assert.deepEqual(seenByA, [created, running, logged]);
    assert.deepEqual(seenByB, seenByA);
  });

  it("keeps seq strictly increasing and offsets gap-free when two instances write the same jobs at once", async () => {
    const url = await server.createDatabase();
    const a = await started(url);
    const b = await started(url);
    const observer = await started(url);
    const seen = collect(observer);
    const head = await a.headOffset();
    const jobs = await Promise.all([1, 2, 3].map(async () => (await a.create(testJob())).job));
    await Promise.all(jobs.map((job) => b.mutate(job.id, toStatus("running"))));
    const writes: Promise<unknown>[] = [];
    for (let round = 0; round < 40; round++) {
      for (const job of jobs) {
        writes.push(a.mutate(job.id, logLine(`a${round}`)), b.mutate(job.id, logLine(`b${round}`)));
        writes.push(a.mutate(job.id, toProgress(round), { coalesce: true }), b.mutate(job.id, toProgress(round), { coalesce: true }));
      }
    }
    await Promise.all(writes);
    const end = await a.headOffset();
    await eventually(() => seen.length === end - head, 5_000, `observer saw ${end - head} events`);

    assert.deepEqual(seen.map((event) => event.offset), Array.from({ length: end - head }, (_, index) => head + index + 1));
    for (const job of jobs) {
      const ofJob = seen.filter((event) => event.jobId === job.id);
      assert.deepEqual(ofJob.map((event) => event.seq), Array.from({ length: ofJob.length }, (_, index) => index + 1));
      assert.equal(ofJob.filter((event) => event.kind === "log").length, 80);
      assert.deepEqual(await a.history(job.id, 0, 1_000), ofJob);
    }
  });

  it("re-establishes a killed LISTEN connection and fills the gap from the log", async () => {
    const url = await server.createDatabase();
    const writer = await started(url);
    // Polling is off (in effect), so only the reconnection can bring the missed events.
    // The retry waits long enough for the writes below to finish first, even on a busy machine.
    const reader = await started(url, { pollIntervalMs: 600_000, listenRetryMs: 1_500 });
    const seen = collect(reader);
    const { job } = await writer.create(testJob());
    await eventually(() => seen.length === 1, 5_000, "first event");

    const admin = client(url);
    await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'jobcast-listen'`;
    await eventually(async () => (await reader.health()).details?.listening === 0, 5_000, "the reader noticed the lost connection");
    for (let index = 0; index < 5; index++) await writer.mutate(job.id, logLine(`missed ${index}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(seen.length, 1, "nothing arrives while the reader is not listening");

    await eventually(() => seen.length === 6, 5_000, "the missed events arrived");
    const health = await reader.health();
    assert.equal(health.details?.listening, 1);
    assert.ok(Number(health.details?.listen_reconnects) >= 1);
    await writer.mutate(job.id, logLine("live again"));
    await eventually(() => seen.length === 7, 5_000, "notifications flow again");
    assert.deepEqual(seen.map((event) => event.seq), [1, 2, 3, 4, 5, 6, 7]);
  });

  it("hands each queued job to exactly one of two instances claiming at once", async () => {
    const url = await server.createDatabase();
    const a = await started(url);
    const b = await started(url);
    const ids = new Set<string>();
    for (let index = 0; index < 30; index++) ids.add((await a.create(testJob({ type: "work" }))).job.id);
    const start = toStatus("running");
    const claimedBy = async (engine: PostgresEngine, owner: string) => {
      const claimed: string[] = [];
      for (;;) {
        const events = await engine.claim(owner, ["work"], 4, start);
        if (events.length === 0) return claimed;
        claimed.push(...events.map((event) => event.jobId));
      }
    };
    const [byA, byB] = await Promise.all([claimedBy(a, "a"), claimedBy(b, "b")]);
    assert.equal(byA.length + byB.length, 30);
    assert.deepEqual(new Set([...byA, ...byB]), ids);
  });

  it("accepts each ticket on exactly one of two instances redeeming it at once", async () => {
    const url = await server.createDatabase();
    const a = await started(url);
    const b = await started(url);
    const grant: TicketGrant = { kind: "producer", jobId: "job-1" };
    const hashes = Array.from({ length: 30 }, (_, index) => `hash-${index}`);
    for (const hash of hashes) await a.issueTicket(hash, grant, Date.now() + 30_000);
    const outcomes = await Promise.all(hashes.map((hash) => Promise.all([a.redeemTicket(hash, Date.now()), b.redeemTicket(hash, Date.now())])));
    for (const [byA, byB] of outcomes) assert.equal([byA, byB].filter((redeemed) => redeemed !== undefined).length, 1);
  });

  it("adds the tickets table to a database of the previous version, keeping its jobs", async () => {
    const url = await server.createDatabase();
    const first = await started(url);
    const { job } = await first.create(testJob());
    await first.stop();
    // Back to the schema of the version before tickets were shared.
    const sql = client(url);
    await sql`DROP TABLE stream_tickets`;
    await sql`DELETE FROM schema_migrations WHERE version >= 2`;

    const upgraded = await started(url);
    assert.deepEqual(await upgraded.get(job.id), job);
    await upgraded.issueTicket("hash", { kind: "producer", jobId: job.id }, Date.now() + 30_000);
    assert.deepEqual(await upgraded.redeemTicket("hash", Date.now()), { kind: "producer", jobId: job.id });
    const versions = await sql<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`;
    assert.deepEqual(versions.map((row) => row.version), MIGRATIONS.map((migration) => migration.version));
  });

  it("merges progress samples of one job into few events, the newest winning", async () => {
    const url = await server.createDatabase();
    const engine = await started(url, { progressFlushMs: 20 });
    const { job } = await engine.create(testJob());
    await engine.mutate(job.id, toStatus("running"));
    const samples = await Promise.all(Array.from({ length: 200 }, (_, index) => engine.mutate(job.id, toProgress(index + 1), { coalesce: true })));
    samples.forEach((event, index) => assert.ok(event!.job.progress.current >= index + 1, "each sample is answered by an event that includes it"));
    const progress = (await engine.history(job.id, 0, 1_000)).filter((event) => event.kind === "progress");
    assert.ok(progress.length < 20, `${progress.length} progress events for 200 samples`);
    assert.equal(progress.at(-1)!.job.progress.current, 200);
  });

  it("refuses only the sample whose mutator throws, and writes pending samples on stop", async () => {
    const url = await server.createDatabase();
    const engine = engineOn(url, { progressFlushMs: 1_000 });
    await engine.start();
    const { job } = await engine.create(testJob());
    const refused = new Error("refused");
    const results = [
      engine.mutate(job.id, toProgress(1), { coalesce: true }),
      engine.mutate(job.id, () => {
        throw refused;
      }, { coalesce: true }),
      engine.mutate(job.id, toProgress(3), { coalesce: true }),
    ];
    const settled = Promise.allSettled(results);
    await engine.stop();
    const [first, second, third] = await settled;
    assert.equal(first.status, "fulfilled");
    assert.deepEqual(second, { status: "rejected", reason: refused });
    assert.equal(third.status === "fulfilled" && third.value?.job.progress.current, 3);

    const reopened = await started(url);
    assert.equal((await reopened.get(job.id))?.progress.current, 3);
  });
});
