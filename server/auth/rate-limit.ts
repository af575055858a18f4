/** A token bucket: `burst` at once, refilled at `perSecond`. */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  constructor(readonly perSecond: number, readonly burst: number, now = Date.now()) {
    this.#tokens = burst;
    this.#refilledAt = now;
  }

  /** Takes one token; false when empty. */
  take(now = Date.now()): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Seconds until a token is available. */
  secondsUntilNext(now = Date.now()): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.perSecond);
  }

  full(now = Date.now()): boolean {
    this.#refill(now);
    return this.#tokens >= this.burst;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.perSecond);
    this.#refilledAt = now;
  }
}

/** One bucket per key (a token's subject or a client IP), in bounded memory. */
export class KeyedRateLimiter {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(readonly perSecond: number, readonly burst: number, readonly maxKeys = 10_000) {}

  /** Undefined when allowed, else the seconds to wait (for `Retry-After`). */
  take(key: string, now = Date.now()): number | undefined {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.maxKeys) this.#evict(now);
      bucket = new TokenBucket(this.perSecond, this.burst, now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(now) ? undefined : Math.max(1, bucket.secondsUntilNext(now));
  }

  /** Full buckets hold no information; if none is full, the oldest key goes. */
  #evict(now: number): void {
    for (const [key, bucket] of this.#buckets) if (bucket.full(now)) this.#buckets.delete(key);
    if (this.#buckets.size >= this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}
