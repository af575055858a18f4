import { expect } from '@open-wc/testing';
import { backoffCeiling, backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles its ceiling from 1 s per attempt up to 30 s', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 20].map((attempt) => backoffCeiling(attempt));
    expect(ceilings).to.deep.equal([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('scales the ceiling by the random number: full jitter', () => {
    expect(backoffDelay(3, () => 0)).to.equal(0);
    expect(backoffDelay(3, () => 0.5)).to.equal(4_000);
    expect(backoffDelay(3, () => 0.25)).to.equal(2_000);
  });

  it('stays below the ceiling for every attempt, even with the largest random number', () => {
    const almostOne = () => 1 - Number.EPSILON;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const delay = backoffDelay(attempt, almostOne);
      expect(delay, `attempt ${attempt}`).to.be.below(backoffCeiling(attempt));
      expect(delay, `attempt ${attempt}`).to.be.at.least(backoffCeiling(attempt) - 1);
    }
  });

  it('spreads real random delays over the whole window', () => {
    const delays = Array.from({ length: 2_000 }, () => backoffDelay(10));
    expect(Math.min(...delays)).to.be.at.least(0).and.below(3_000);
    expect(Math.max(...delays)).to.be.below(30_000).and.above(27_000);
    const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
    expect(mean).to.be.within(13_500, 16_500);
  });

  it('honours custom bounds and survives absurd attempt numbers', () => {
    expect(backoffCeiling(2, 50, 120)).to.equal(120);
    expect(backoffDelay(1, () => 0.5, 50, 120)).to.equal(50);
    expect(backoffDelay(1e9, () => 0.5)).to.equal(15_000);
    expect(backoffDelay(-3, () => 0.5)).to.equal(500);
  });
});
