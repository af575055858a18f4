/**
 * Rate over a moving time window: robust to bursts and pauses, unlike an average since the start.
 * Samples are absolute positions, so the rate is the slope between the oldest and newest sample.
 */
export class RateEstimator {
  readonly #samples: { at: number; value: number }[] = [];

  constructor(readonly windowMs = 10_000, readonly maxSamples = 64) {}

  add(value: number, at = Date.now()): void {
    const last = this.#samples[this.#samples.length - 1];
    // A value going backwards means the worker restarted its count: the old slope no longer applies.
    if (last && value < last.value) this.#samples.length = 0;
    this.#samples.push({ at, value });
    while (this.#samples.length > this.maxSamples || (this.#samples.length > 2 && at - this.#samples[0]!.at > this.windowMs)) {
      this.#samples.shift();
    }
  }

  /** Units per second, or null until two samples at least 200 ms apart exist. */
  rate(): number | null {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.at - first.at < 200) return null;
    return ((last.value - first.value) * 1000) / (last.at - first.at);
  }

  reset(): void {
    this.#samples.length = 0;
  }
}

export function percentOf(current: number, total: number | null): number | null {
  if (total === null) return null;
  if (total === 0) return 100;
  return Math.min(100, Math.round((current / total) * 1000) / 10);
}

export function etaSeconds(current: number, total: number | null, rate: number | null): number | null {
  if (total === null || rate === null || rate <= 0) return null;
  return Math.max(0, Math.round(((total - current) / rate) * 10) / 10);
}
