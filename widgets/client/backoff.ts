export const DEFAULT_BACKOFF_BASE_MS = 1_000;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;

/**
 * Delay before reconnect attempt number `attempt` (0 for the first retry): exponential backoff
 * with full jitter, uniformly in [0, min(maxMs, baseMs · 2^attempt)). Full jitter spreads the
 * clients of a restarted hub over the whole window instead of letting them return in waves.
 *
 * @param random a source of numbers in [0, 1), injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  baseMs: number = DEFAULT_BACKOFF_BASE_MS,
  maxMs: number = DEFAULT_BACKOFF_MAX_MS,
): number {
  return Math.floor(random() * backoffCeiling(attempt, baseMs, maxMs));
}

/** The upper bound of {@link backoffDelay} for an attempt. */
export function backoffCeiling(
  attempt: number,
  baseMs: number = DEFAULT_BACKOFF_BASE_MS,
  maxMs: number = DEFAULT_BACKOFF_MAX_MS,
): number {
  // Capping the exponent keeps 2^attempt finite however long the hub stays away.
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  return Math.min(maxMs, baseMs * 2 ** exponent);
}
