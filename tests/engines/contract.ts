import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Engine } from "../../server/engines/engine.ts";
import type { JobEvent, TicketGrant } from "../../server/protocol/index.ts";
import { logLine, testJob, toProgress, toStatus } from "../support/jobs.ts";
import { eventually } from "../support/wait.ts";

/** Retention settings a contract test may ask for; each engine maps them onto its own options. */
export interface RetentionSettings {
  /** Meaningful events kept per job, and hub-wide where the engine bounds that too. */
  historyLimit?: number;
  finishedTtlMs?: number;
}

export interface EngineUnderTest {
  setUp?(): Promise<void>;
  tearDown?(): Promise<void>;
  /** A started engine with empty storage. */
  create(retention: RetentionSettings): Promise<Engine>;
}

/** The behaviour every engine must show, whatever it stores jobs in. */
export function engineContract(name: string, subject: EngineUnderTest): void {
  describe(`${name} engine contract`, () => {
    const engines: Engine[] = [];
    const fresh = async (retention: RetentionSettings = {}) => {
      const engine = await subject.create(retention);
      engines.push(engine);
      return engine;
    };
    before(async () => await subject.setUp?.());
    afterEach(async () => {
      for (const engine of engines.splice(0)) await engine.stop();
    });
    after(async () => await subject.tearDown?.());

    it("creates a job with its created event, and returns the same job for the same key", async () => {
      const engine = await fresh();
      assert.match(engine.epoch, /^[A-Za-z0-9_-]{1,64}$/);
      const job = testJob({ key: "order-42", labels: { team: "data" } });
      const first = await engine.create(job);
      assert.equal(first.created, true);
      assert.equal(first.job.seq, 1);
      assert.equal(first.event?.kind, "created");
      assert.equal(first.event?.seq, 1);
      assert.ok(first.event!.offset > 0);
      assert.deepEqual(first.event?.job, first.job);
      assert.deepEqual(await engine.get(job.id), first.job);
      assert.equal(await engine.headOffset(), first.event!.offset);

      const again = await engine.create(testJob({ key: "order-42" }));
      assert.equal(again.created, false);
      assert.equal(again.event, undefined);
      assert.deepEqual(again.job, first.job);
      assert.equal(await engine.get("no-such-job"), undefined);
    });

    it("lists newest first with filters and a cursor", async () => {
      const engine = await fresh();
      const ids: string[] = [];
      for (let index = 0; index < 5; index++) {
        const job = testJob({ type: index % 2 === 0 ? "even" : "odd", labels: { n: String(index), team: "a" } });
        await engine.create(job);
        ids.push(job.id);
      }
      await engine.mutate(ids[4]!, toStatus("running"));

      const all = await engine.list({ limit: 10 });
      assert.deepEqual(all.jobs.map((job) => job.id), [...ids].reverse());
      assert.equal(all.nextCursor, null);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await engine.list({ limit: 2, cursor });
        assert.ok(page.jobs.length <= 2);
        seen.push(...page.jobs.map((job) => job.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(seen, [...ids].reverse());

      assert.deepEqual((await engine.list({ limit: 10, type: "even" })).jobs.map((job) => job.id), [ids[4], ids[2], ids[0]]);
      assert.deepEqual((await engine.list({ limit: 10, status: "running" })).jobs.map((job) => job.id), [ids[4]]);
      assert.deepEqual((await engine.list({ limit: 10, labels: { n: "3", team: "a" } })).jobs.map((job) => job.id), [ids[3]]);
      assert.deepEqual((await engine.list({ limit: 10, labels: { n: "3", team: "b" } })).jobs, []);
      const evenPage = await engine.list({ limit: 1, type: "even" });
      assert.deepEqual(evenPage.jobs.map((job) => job.id), [ids[4]]);
      assert.deepEqual((await engine.list({ limit: 5, type: "even", cursor: evenPage.nextCursor! })).jobs.map((job) => job.id), [ids[2], ids[0]]);
    });

    it("stamps every change with the next seq and a growing offset, and keeps it in history", async () => {
      const engine = await fresh();
      const { job } = await engine.create(testJob());
      const events: JobEvent[] = [];
      events.push((await engine.mutate(job.id, toStatus("running")))!);
      events.push((await engine.mutate(job.id, logLine("hello")))!);
      events.push((await engine.mutate(job.id, toProgress(10)))!);
      events.push((await engine.mutate(job.id, toStatus("completed")))!);
      assert.deepEqual(events.map((event) => event.seq), [2, 3, 4, 5]);
      for (let index = 1; index < events.length; index++) assert.ok(events[index]!.offset > events[index - 1]!.offset);
      const last = events.at(-1)!;
      assert.equal(last.kind, "status");
      assert.equal(last.job.status, "completed");
      assert.equal(last.job.seq, 5);
      assert.equal(last.job.progress.current, 10);
      assert.deepEqual(await engine.get(job.id), last.job);
      assert.equal(await engine.headOffset(), last.offset);

      const history = await engine.history(job.id, 0, 100);
      assert.deepEqual(history.map((event) => [event.seq, event.kind]), [[1, "created"], [2, "status"], [3, "log"], [4, "progress"], [5, "status"]]);
      assert.deepEqual(history.slice(1), events);
      assert.deepEqual((await engine.history(job.id, 2, 2)).map((event) => event.seq), [3, 4]);
      assert.deepEqual(await engine.history("no-such-job", 0, 10), []);
    });

    it("stores nothing when the mutator has nothing to do or the job does not exist", async () => {
      const engine = await fresh();
      const { job } = await engine.create(testJob());
      const head = await engine.headOffset();
      assert.equal(await engine.mutate(job.id, () => undefined), undefined);
      assert.equal(await engine.mutate("no-such-job", toStatus("running")), undefined);
      assert.equal(await engine.headOffset(), head);
      assert.equal((await engine.get(job.id))?.seq, 1);
    });

    it("leaves the job untouched when the mutator throws", async () => {
      const engine = await fresh();
      const { job } = await engine.create(testJob());
      const head = await engine.headOffset();
      const conflict = new Error("conflict: job is queued");
      await assert.rejects(engine.mutate(job.id, () => {
        throw conflict;
      }), conflict);
      assert.deepEqual(await engine.get(job.id), job);
      assert.equal(await engine.headOffset(), head);
      const next = await engine.mutate(job.id, toStatus("running"));
      assert.equal(next?.seq, 2);
    });

    it("keeps progress samples before a later status change, with seq strictly increasing", async () => {
      const engine = await fresh();
      const { job } = await engine.create(testJob());
      await engine.mutate(job.id, toStatus("running"));
      const samples = Array.from({ length: 50 }, (_, index) => engine.mutate(job.id, toProgress(index + 1), { coalesce: true }));
      const done = engine.mutate(job.id, toStatus("completed"));
      const settled = await Promise.all([...samples, done]);
      const final = settled.at(-1)!;
      assert.equal(final.job.status, "completed");
      assert.equal(final.job.progress.current, 50, "the status change sees every earlier sample");
      for (const event of settled.slice(0, -1)) {
        assert.ok(event && event.kind === "progress" && event.seq < final.seq);
      }
      const history = await engine.history(job.id, 0, 1_000);
      history.forEach((event, index) => assert.equal(event.seq, index + 1));
      const progress = history.filter((event) => event.kind === "progress");
      assert.ok(progress.length >= 1 && progress.length <= 50);
      assert.equal(progress.at(-1)!.job.progress.current, 50);
      assert.equal(history.at(-1)!.kind, "status");
    });

    it("replays events after an offset: one job, one type, or all", async () => {
      const engine = await fresh();
      const a = (await engine.create(testJob({ type: "alpha" }))).job;
      const start = await engine.headOffset();
      const b = (await engine.create(testJob({ type: "beta" }))).job;
      await engine.mutate(a.id, toStatus("running"));
      await engine.mutate(b.id, toStatus("running"));
      await engine.mutate(a.id, logLine("a"));

      const all = await engine.replay(start, {}, 100);
      assert.equal(all.complete, true);
      assert.deepEqual(all.events.map((event) => [event.jobId, event.kind]), [[b.id, "created"], [a.id, "status"], [b.id, "status"], [a.id, "log"]]);
      for (let index = 1; index < all.events.length; index++) assert.ok(all.events[index]!.offset > all.events[index - 1]!.offset);

      const ofA = await engine.replay(start, { jobId: a.id }, 100);
      assert.deepEqual(ofA, { events: all.events.filter((event) => event.jobId === a.id), complete: true });
      const ofBeta = await engine.replay(start, { type: "beta" }, 100);
      assert.deepEqual(ofBeta, { events: all.events.filter((event) => event.jobId === b.id), complete: true });
      assert.deepEqual(await engine.replay(await engine.headOffset(), {}, 100), { events: [], complete: true });

      assert.equal((await engine.replay(start, {}, 3)).complete, false, "more than the limit must be resnapshotted");
      assert.equal((await engine.replay(0, { jobId: "no-such-job" }, 100)).complete, false);
    });

    it("reports incomplete replays once retention removed needed events", async () => {
      const engine = await fresh({ historyLimit: 10 });
      const { job, event: created } = await engine.create(testJob());
      await engine.mutate(job.id, toStatus("running"));
      for (let index = 0; index < 30; index++) await engine.mutate(job.id, logLine(`line ${index}`));
      const recent = await engine.headOffset();
      await engine.mutate(job.id, logLine("after"));
      await engine.sweep(new Date());

      assert.equal((await engine.replay(created!.offset, { jobId: job.id }, 1_000)).complete, false);
      assert.equal((await engine.replay(created!.offset, {}, 1_000)).complete, false);
      const tail = await engine.replay(recent, { jobId: job.id }, 1_000);
      assert.equal(tail.complete, true);
      assert.deepEqual(tail.events.map((event) => event.kind === "log" && event.message), ["after"]);
      assert.equal((await engine.replay(recent, {}, 1_000)).complete, true);
      assert.ok((await engine.history(job.id, 0, 1_000)).length <= 10);
    });

    it("trims superseded progress samples first, so a job's replay stays complete", async () => {
      const engine = await fresh({ historyLimit: 10 });
      const { job } = await engine.create(testJob());
      await engine.mutate(job.id, toStatus("running"));
      for (let current = 1; current <= 30; current++) await engine.mutate(job.id, toProgress(current));
      await engine.mutate(job.id, logLine("end"));
      await engine.sweep(new Date());

      const history = await engine.history(job.id, 0, 1_000);
      assert.ok(history.length <= 10);
      assert.deepEqual(history.filter((event) => event.kind !== "progress").map((event) => event.kind), ["created", "status", "log"]);
      assert.equal(history.findLast((event) => event.kind === "progress")?.job.progress.current, 30);
      const replay = await engine.replay(0, { jobId: job.id }, 1_000);
      assert.deepEqual(replay, { events: history, complete: true });
    });

    it("delivers every committed event to listeners in order, until unsubscribed", async () => {
      const engine = await fresh();
      const received: JobEvent[] = [];
      const unsubscribe = engine.onEvent((event) => received.push(event));
      const { job, event: created } = await engine.create(testJob());
      const running = await engine.mutate(job.id, toStatus("running"));
      const logged = await engine.mutate(job.id, logLine("one"));
      await eventually(() => received.length >= 3, 5_000, "three events delivered");
      assert.deepEqual(received, [created, running, logged]);

      unsubscribe();
      await engine.mutate(job.id, logLine("two"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(received.length, 3);
    });

    it("claims queued in-process jobs of the given types, oldest first, once", async () => {
      const engine = await fresh();
      const first = (await engine.create(testJob({ type: "work" }))).job;
      const second = (await engine.create(testJob({ type: "work" }))).job;
      const third = (await engine.create(testJob({ type: "work" }))).job;
      await engine.create(testJob({ type: "work", external: true }));
      await engine.create(testJob({ type: "other" }));
      const leaseUntil = new Date(Date.now() + 30_000).toISOString();
      const start = toStatus("running", { leaseExpiresAt: leaseUntil });

      const claimed = await engine.claim("owner-1", ["work"], 2, start);
      assert.deepEqual(claimed.map((event) => event.jobId), [first.id, second.id]);
      for (const event of claimed) {
        assert.equal(event.kind, "status");
        assert.equal(event.seq, 2);
        assert.equal(event.job.status, "running");
        assert.equal(event.job.leaseExpiresAt, leaseUntil);
      }
      const rest = await engine.claim("owner-2", ["work", "missing"], 10, start);
      assert.deepEqual(rest.map((event) => event.jobId), [third.id]);
      assert.deepEqual(await engine.claim("owner-2", ["work"], 10, start), []);
      assert.deepEqual(await engine.claim("owner-2", [], 10, start), []);
    });

    it("claims rollbacks of stopped jobs that no instance runs, once, without an event", async () => {
      const engine = await fresh();
      const rollingBack = async (overrides: Parameters<typeof testJob>[0] = {}) => {
        const job = (await engine.create(testJob({ type: "work", ...overrides }))).job;
        await engine.mutate(job.id, toStatus("failed"));
        await engine.mutate(job.id, toStatus("rolling_back", { finishedAt: null }));
        return job;
      };
      const stopped = await rollingBack();
      const alreadyRun = new Date(Date.now() + 30_000).toISOString();
      await rollingBack({ leaseExpiresAt: alreadyRun });
      await rollingBack({ external: true });
      await rollingBack({ type: "other" });
      await engine.create(testJob({ type: "work" }));
      const head = await engine.headOffset();

      const leaseUntil = new Date(Date.now() + 60_000);
      const taken = await engine.claimRollbacks("owner-1", ["work"], 10, leaseUntil);
      assert.deepEqual(taken.map((job) => job.id), [stopped.id]);
      assert.equal(taken[0]!.leaseExpiresAt, leaseUntil.toISOString());
      assert.equal(taken[0]!.seq, 3);
      assert.deepEqual(await engine.claimRollbacks("owner-2", ["work"], 10, leaseUntil), []);
      assert.equal(await engine.headOffset(), head);

      const later = new Date(Date.now() + 90_000);
      await engine.renewLeases("owner-1", [stopped.id], later);
      assert.equal((await engine.get(stopped.id))!.leaseExpiresAt, later.toISOString(), "the claimer owns the job");
    });

    it("renews the leases of the owner's jobs only, without an event", async () => {
      const engine = await fresh();
      const soon = new Date(Date.now() + 1_000).toISOString();
      const start = toStatus("running", { leaseExpiresAt: soon });
      const mine = (await engine.create(testJob({ type: "work" }))).job;
      await engine.claim("me", ["work"], 1, start);
      const theirs = (await engine.create(testJob({ type: "work" }))).job;
      await engine.claim("them", ["work"], 1, start);
      const head = await engine.headOffset();

      const later = new Date(Date.now() + 60_000);
      await engine.renewLeases("me", [mine.id, theirs.id], later);
      const renewed = (await engine.get(mine.id))!;
      assert.equal(renewed.leaseExpiresAt, later.toISOString());
      assert.equal(renewed.seq, 2);
      assert.equal((await engine.get(theirs.id))!.leaseExpiresAt, soon);
      assert.equal(await engine.headOffset(), head);
    });

    it("finds unfinished jobs whose lease ended", async () => {
      const engine = await fresh();
      const past = new Date(Date.now() - 1_000).toISOString();
      const future = new Date(Date.now() + 60_000).toISOString();
      const expired = (await engine.create(testJob({ external: true, leaseExpiresAt: past }))).job;
      await engine.create(testJob({ external: true, leaseExpiresAt: future }));
      const finished = (await engine.create(testJob({ external: true, leaseExpiresAt: past }))).job;
      await engine.mutate(finished.id, toStatus("completed"));
      await engine.create(testJob());

      assert.deepEqual(await engine.expiredLeases(new Date(), 10), [expired.id]);
      assert.deepEqual(await engine.expiredLeases(new Date(), 0), []);
    });

    it("finds running jobs without progress since a time, unless already flagged stalled", async () => {
      const engine = await fresh();
      const quiet = (await engine.create(testJob())).job;
      await engine.mutate(quiet.id, toStatus("running"));
      const flagged = (await engine.create(testJob())).job;
      await engine.mutate(flagged.id, toStatus("running", { stalled: true }));
      await engine.create(testJob());
      await new Promise((resolve) => setTimeout(resolve, 20));
      const before = new Date();
      const busy = (await engine.create(testJob())).job;
      await engine.mutate(busy.id, toStatus("running"));

      assert.deepEqual(await engine.stalledCandidates(before, 10), [quiet.id]);
    });

    it("sweeps finished jobs past their time to live, and nothing else", async () => {
      const engine = await fresh({ finishedTtlMs: 60_000 });
      const done = (await engine.create(testJob({ key: "done" }))).job;
      await engine.mutate(done.id, toStatus("completed"));
      const recent = (await engine.create(testJob())).job;
      await engine.mutate(recent.id, toStatus("failed"));
      const open = (await engine.create(testJob())).job;
      await engine.mutate(open.id, toStatus("running"));

      assert.equal(await engine.sweep(new Date()), 0);
      const removed = await engine.sweep(new Date(Date.now() + 120_000));
      assert.equal(removed, 2);
      assert.equal(await engine.get(done.id), undefined);
      assert.equal(await engine.get(recent.id), undefined);
      assert.equal((await engine.get(open.id))?.status, "running");
      assert.deepEqual(await engine.history(done.id, 0, 10), []);
      const reused = await engine.create(testJob({ key: "done" }));
      assert.equal(reused.created, true, "a swept job's key is free again");
    });

    const grant: TicketGrant = {
      kind: "claims",
      claims: { sub: "user-1", exp: 2_000_000_000, channels: ["jobs"], submit: [], controls: ["cancel"], report: false, labels: { tenant: "acme" } },
    };
    const now = Date.now();

    it("redeems a ticket once, with the grant it was issued with", async () => {
      const engine = await fresh();
      await engine.issueTicket("hash-1", grant, now + 30_000);
      assert.deepEqual(await engine.redeemTicket("hash-1", now), grant);
    });

    it("refuses a second redemption", async () => {
      const engine = await fresh();
      await engine.issueTicket("hash-1", grant, now + 30_000);
      await engine.redeemTicket("hash-1", now);
      assert.equal(await engine.redeemTicket("hash-1", now), undefined);
    });

    it("refuses an expired ticket, and spends it", async () => {
      const engine = await fresh();
      await engine.issueTicket("hash-1", grant, now + 30_000);
      assert.equal(await engine.redeemTicket("hash-1", now + 30_000), undefined);
      assert.equal(await engine.redeemTicket("hash-1", now), undefined);
    });

    it("refuses an unknown ticket", async () => {
      const engine = await fresh();
      await engine.issueTicket("hash-1", grant, now + 30_000);
      assert.equal(await engine.redeemTicket("hash-2", now), undefined);
      assert.deepEqual(await engine.redeemTicket("hash-1", now), grant, "a wrong guess spends nothing");
    });

    it("keeps tickets apart, whatever they grant", async () => {
      const engine = await fresh();
      const producer: TicketGrant = { kind: "producer", jobId: "job-1" };
      await engine.issueTicket("hash-1", grant, now + 30_000);
      await engine.issueTicket("hash-2", producer, now + 30_000);
      assert.deepEqual(await engine.redeemTicket("hash-2", now), producer);
      assert.deepEqual(await engine.redeemTicket("hash-1", now), grant);
    });

    it("sweeps expired tickets and keeps the others", async () => {
      const engine = await fresh();
      await engine.issueTicket("expired", grant, now + 1_000);
      await engine.issueTicket("valid", grant, now + 60_000);
      await engine.sweep(new Date(now + 30_000));
      // Redeemed as of before its expiry, a ticket still stored would be accepted.
      assert.equal(await engine.redeemTicket("expired", now), undefined);
      assert.deepEqual(await engine.redeemTicket("valid", now + 30_000), grant);
    });

    it("reports health", async () => {
      const engine = await fresh();
      const health = await engine.health();
      assert.equal(health.ok, true);
    });
  });
}
