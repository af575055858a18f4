import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JOB_STATUSES, type Job } from "../protocol/index.ts";
import { allowedControls, ConflictError, controlTarget, pastPointOfNoReturn } from "./state.ts";

const full = { pause: true, rollback: true, retry: true };
const phases = [{ name: "copy", irreversible: false }, { name: "cutover", irreversible: true }, { name: "cleanup", irreversible: false }];
const job = (patch: Partial<Job>) => ({ status: "running", phase: null, phases, external: false, ...patch }) as Job;

describe("job state machine", () => {
  it("allows exactly the documented controls in each state", () => {
    const expected: Record<string, string[]> = {
      queued: ["cancel"],
      running: ["cancel", "pause", "rollback"],
      paused: ["resume", "cancel", "rollback"],
      cancelling: [],
      rolling_back: [],
      completed: [],
      failed: ["retry", "rollback"],
      cancelled: ["retry", "rollback"],
      rolled_back: ["retry"],
    };
    for (const status of JOB_STATUSES) assert.deepEqual(allowedControls(job({ status }), full), expected[status], status);
  });

  it("takes capabilities into account", () => {
    const none = { pause: false, rollback: false, retry: false };
    assert.deepEqual(allowedControls(job({ status: "running" }), none), ["cancel"]);
    assert.deepEqual(allowedControls(job({ status: "failed" }), none), []);
  });

  it("forbids rollback from the irreversible phase on", () => {
    assert.equal(pastPointOfNoReturn(job({ phase: "copy" })), false);
    assert.equal(pastPointOfNoReturn(job({ phase: "cutover" })), true);
    assert.equal(pastPointOfNoReturn(job({ phase: "cleanup" })), true);
    assert.deepEqual(allowedControls(job({ phase: "cutover" }), full), ["cancel", "pause"]);
  });

  it("maps controls to target states and refuses the rest", () => {
    assert.equal(controlTarget(job({ status: "running" }), "cancel", full), "cancelling");
    assert.equal(controlTarget(job({ status: "queued" }), "cancel", full), "cancelled");
    assert.equal(controlTarget(job({ status: "running", external: true }), "cancel", full), "cancelled");
    assert.equal(controlTarget(job({ status: "paused" }), "resume", full), "running");
    assert.equal(controlTarget(job({ status: "failed" }), "retry", full), "queued");
    assert.throws(() => controlTarget(job({ status: "completed" }), "cancel", full), (error: unknown) =>
      error instanceof ConflictError && error.code === "job_finished" && error.status === "completed");
    assert.throws(() => controlTarget(job({ status: "running" }), "resume", full), (error: unknown) =>
      error instanceof ConflictError && error.code === "conflict");
  });
});
