/** Holds a handler at its next checkpoint while the job is paused. */
export class PauseGate {
  #paused: boolean;
  #waiters: (() => void)[] = [];

  constructor(paused: boolean) {
    this.#paused = paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves at once when not paused; otherwise on resume, or rejects when the signal aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }
}
