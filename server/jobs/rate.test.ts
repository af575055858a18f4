import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { etaSeconds, percentOf, RateEstimator } from "./rate.ts";

describe("rate estimation", () => {
  it("follows the recent rate, not the average since the start", () => {
    const rate = new RateEstimator(10_000);
    // 100 units/s for a minute, then 10 units/s for 20 s.
    let value = 0;
    for (let second = 0; second <= 60; second++) rate.add((value = second * 100), second * 1000);
    for (let second = 61; second <= 80; second++) rate.add((value += 10), second * 1000);
    assert.ok(Math.abs(rate.rate()! - 10) < 0.5, `rate ${rate.rate()}`);
  });

  it("needs two samples and restarts when the count goes backwards", () => {
    const rate = new RateEstimator();
    assert.equal(rate.rate(), null);
    rate.add(0, 0);
    assert.equal(rate.rate(), null);
    rate.add(50, 1000);
    assert.equal(rate.rate(), 50);
    rate.add(10, 2000);
    assert.equal(rate.rate(), null);
  });

  it("derives percent and ETA", () => {
    assert.equal(percentOf(1, 3), 33.3);
    assert.equal(percentOf(5, null), null);
    assert.equal(percentOf(0, 0), 100);
    assert.equal(percentOf(12, 10), 100);
    assert.equal(etaSeconds(50, 100, 10), 5);
    assert.equal(etaSeconds(50, null, 10), null);
    assert.equal(etaSeconds(50, 100, 0), null);
  });
});
