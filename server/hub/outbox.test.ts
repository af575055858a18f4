import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Metrics } from "./metrics.ts";
import { Outbox, type Sink } from "./outbox.ts";

/** A sink that can be held congested, to queue messages on purpose. */
function heldSink() {
  const written: string[] = [];
  let congested = true;
  const sink: Sink = { write: (text) => void written.push(text), congested: () => congested };
  return { sink, written, release: () => (congested = false) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 40));

describe("Outbox", () => {
  it("keeps only the newest progress sample per key while congested", async () => {
    const { sink, written, release } = heldSink();
    const metrics = new Metrics();
    const outbox = new Outbox(sink, 10_000, metrics, "test", () => assert.fail("no overflow"));
    for (let current = 1; current <= 50; current++) outbox.push(`p${current}`, 10, { coalesceKey: "job:a" });
    outbox.push("other", 10, { coalesceKey: "job:b" });
    assert.equal(outbox.bytes, 20);
    release();
    await settle();
    assert.deepEqual(written, ["p50", "other"]);
    assert.equal(metrics.coalesced.value({ where: "connection" }), 49);
    assert.equal(outbox.bytes, 0);
  });

  it("never moves progress ahead of an ordered message", async () => {
    const { sink, written, release } = heldSink();
    const outbox = new Outbox(sink, 10_000, new Metrics(), "test", () => assert.fail("no overflow"));
    outbox.push("p1", 1, { coalesceKey: "job:a" });
    outbox.push("p2", 1, { coalesceKey: "job:a" });
    outbox.push("status", 1, { barrierKey: "job:a" });
    outbox.push("p3", 1, { coalesceKey: "job:a" });
    outbox.push("p4", 1, { coalesceKey: "job:a" });
    outbox.push("log", 1);
    release();
    await settle();
    assert.deepEqual(written, ["p2", "status", "p4", "log"]);
  });

  it("overflows once past its byte bound and then drops everything", async () => {
    const { sink, written } = heldSink();
    let overflows = 0;
    const metrics = new Metrics();
    const outbox = new Outbox(sink, 100, metrics, "test", () => overflows++);
    for (let index = 0; index < 20; index++) outbox.push(`log ${index}`, 10);
    assert.equal(overflows, 1);
    assert.equal(outbox.bytes, 0);
    assert.equal(metrics.queueBytes.value({ transport: "test" }), 0);
    assert.deepEqual(written, []);
  });

  it("waits for an asynchronous sink before writing the next message", async () => {
    const written: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const sink: Sink = {
      async write(text) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        written.push(text);
        inFlight--;
      },
      congested: () => false,
    };
    const outbox = new Outbox(sink, 10_000, new Metrics(), "test", () => assert.fail("no overflow"));
    for (let index = 0; index < 10; index++) outbox.push(`m${index}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(maxInFlight, 1);
    assert.deepEqual(written, Array.from({ length: 10 }, (_, index) => `m${index}`));
  });
});
