import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { z } from "zod";
import type { JobContext, JobType } from "../../server/jobs/define.ts";
import { demoJobs } from "../../server/jobs/demo/index.ts";
import { migration } from "../../server/jobs/demo/migration.ts";
import { HandlerReport, type Job, newJob } from "../../server/protocol/index.ts";

type Report = z.output<typeof HandlerReport>;

const EXPECTED_FAILURES: Record<string, { code: string; phase?: string }> = {
  extraction: { code: "source_timeout" },
  migration: { code: "checksum_mismatch", phase: "verify" },
  "data-quality": { code: "rules_unavailable" },
  "nl-to-sql": { code: "invalid_sql", phase: "validate" },
  "context-generation": { code: "parse_error", phase: "analyzing" },
};

function jobOf(type: Pick<JobType, "type" | "phases">, phase: string | null): Job {
  const now = new Date().toISOString();
  return newJob({ id: "job-1", type: type.type, status: "running", phase, phases: type.phases, startedAt: now });
}

/** A JobContext that builds reports the way the runner's does and sleeps on real, abortable timers. */
function fakeContext<Input>(
  type: JobType<Input>,
  rawInput: unknown,
  options: { phase?: string | null; signal?: AbortSignal } = {},
): JobContext<Input> {
  const signal = options.signal ?? new AbortController().signal;
  return {
    job: jobOf(type, options.phase ?? null),
    input: type.input.parse(rawInput),
    attempt: 1,
    signal,
    checkpoint: async () => signal.throwIfAborted(),
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal.reason);
        };
        const timer = setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        }, ms);
        signal.addEventListener("abort", onAbort, { once: true });
      }),
    progress: (current, total, extra) => ({ kind: "progress", current, total, ...extra }),
    phase: (phase, message) => ({ kind: "phase", phase, message }),
    log: (message, level = "info") => ({ kind: "log", level, message }),
    output: (chunk) => ({ kind: "output", chunk }),
    scope: (scope, total, unit) => ({ progress: (current) => ({ kind: "scope", scope, current, total, unit }) }),
    throttle: (reason) => ({ kind: "throttle", reason }),
  };
}

/** Runs a handler to its end, validating every report; returns what it yielded and how it ended. */
async function drive(handler: AsyncGenerator<HandlerReport, unknown, void>): Promise<{ reports: Report[]; result?: unknown; error?: unknown }> {
  const reports: Report[] = [];
  try {
    for (;;) {
      const next = await handler.next();
      if (next.done) return { reports, result: next.value };
      reports.push(HandlerReport.parse(next.value));
    }
  } catch (error) {
    return { reports, error };
  }
}

const phasesOf = (reports: Report[]): string[] => reports.flatMap((report) => (report.kind === "phase" ? [report.phase] : []));

for (const type of demoJobs) {
  describe(`demo job ${type.type}`, () => {
    it("runs to a result with well-formed reports and phases in plan order", async () => {
      const { reports, result, error } = await drive(type.run(fakeContext(type, { durationMs: 50 })));
      assert.equal(error, undefined);
      assert.ok(result !== undefined && result !== null);
      assert.ok(reports.length > 0);
      assert.deepEqual(phasesOf(reports), type.phases.map((phase) => phase.name));
      for (const report of reports) {
        if (report.kind === "progress" && typeof report.total === "number") assert.ok(report.current <= report.total, "progress past its total");
      }
    });

    it("with fail: true throws an Error carrying a code, part-way", async () => {
      const { reports, error } = await drive(type.run(fakeContext(type, { durationMs: 50, fail: true })));
      const expected = EXPECTED_FAILURES[type.type];
      assert.ok(error instanceof Error, "expected an Error");
      assert.equal((error as Error & { code?: unknown }).code, expected?.code);
      assert.ok(reports.length > 0, "expected some reports before the failure");
      if (expected?.phase) assert.equal(phasesOf(reports).at(-1), expected.phase);
    });

    it("stops on cancel without swallowing the abort", async () => {
      const controller = new AbortController();
      const cancelled = new Error("cancelled");
      controller.abort(cancelled);
      const { error } = await drive(type.run(fakeContext(type, { durationMs: 50 }, { signal: controller.signal })));
      assert.equal(error, cancelled);
    });

    it("rejects unknown input keys and durations over an hour", () => {
      assert.equal(type.input.safeParse({ durationMs: 50, colour: "red" }).success, false);
      assert.equal(type.input.safeParse({ durationMs: 3_600_001 }).success, false);
      assert.equal(type.input.safeParse({ durationMs: 0 }).success, true);
    });
  });
}

describe("demo job migration, specifics", () => {
  const rollback = migration.rollback;

  it("walks back through the reversible phases reached, in reverse", async () => {
    assert.ok(rollback);
    const fromVerify = await drive(rollback(fakeContext(migration, { durationMs: 50 }, { phase: "verify" })));
    assert.equal(fromVerify.error, undefined);
    assert.deepEqual(phasesOf(fromVerify.reports), ["copy", "schema", "preflight"]);

    const fromSchema = await drive(rollback(fakeContext(migration, { durationMs: 50 }, { phase: "schema" })));
    assert.deepEqual(phasesOf(fromSchema.reports), ["schema", "preflight"]);

    const beforeStart = await drive(rollback(fakeContext(migration, { durationMs: 50 }, { phase: null })));
    assert.deepEqual(beforeStart.reports, []);
  });

  it("reports one scope per table and a throttle that is cleared again", async () => {
    const tables = [
      { name: "users", rows: 900 },
      { name: "events", rows: 40_000 },
    ];
    const { reports, result } = await drive(migration.run(fakeContext(migration, { durationMs: 50, tables })));
    const scopes = new Set(reports.flatMap((report) => (report.kind === "scope" ? [report.scope] : [])));
    assert.deepEqual([...scopes], ["users", "events"]);
    assert.deepEqual(
      reports.flatMap((report) => (report.kind === "throttle" ? [report.reason] : [])),
      ["replica lag 2.3 s", null],
    );
    assert.deepEqual(result, { tables: 2, rows: 40_900 });
  });

  it("marks only cutover irreversible and rejects duplicate table names", () => {
    assert.deepEqual(migration.phases.filter((phase) => phase.irreversible).map((phase) => phase.name), ["cutover"]);
    const duplicate = { tables: [{ name: "a", rows: 1 }, { name: "a", rows: 2 }] };
    assert.equal(migration.input.safeParse(duplicate).success, false);
  });
});

describe("demo job nl-to-sql, specifics", () => {
  it("streams exactly the SQL it returns", async () => {
    const type = demoJobs.find((candidate) => candidate.type === "nl-to-sql");
    assert.ok(type);
    const { reports, result } = await drive(type.run(fakeContext(type, { durationMs: 50, question: "who bought most?" })));
    const streamed = reports.map((report) => (report.kind === "output" ? report.chunk : "")).join("");
    assert.equal(streamed, (result as { sql: string }).sql);
    assert.match(streamed, /^-- who bought most\?\nSELECT/);
  });
});

describe("demo job data-quality, specifics", () => {
  it("counts every rule exactly once", async () => {
    const type = demoJobs.find((candidate) => candidate.type === "data-quality");
    assert.ok(type);
    const { result } = await drive(type.run(fakeContext(type, { durationMs: 50, rules: 40 })));
    const { passed, failed, warnings } = result as Record<string, number>;
    assert.equal(passed! + failed! + warnings!, 40);
    assert.ok(failed! > 0 && warnings! > 0);
  });
});
