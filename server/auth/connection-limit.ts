/** Open connections per client IP, so one client cannot take every socket of the hub. */
export class ConnectionLimit {
  readonly #open = new Map<string, number>();

  constructor(readonly maxPerIp: number) {}

  hasRoom(ip: string): boolean {
    return (this.#open.get(ip) ?? 0) < this.maxPerIp;
  }

  /** Counts a connection; returns its release, safe to call more than once. */
  acquire(ip: string): () => void {
    this.#open.set(ip, (this.#open.get(ip) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(ip) ?? 1) - 1;
      if (left <= 0) this.#open.delete(ip);
      else this.#open.set(ip, left);
    };
  }
}
