import type { Access } from "./access.ts";
import { encodeBase64Url } from "./base64url.ts";

/**
 * Single-use, short-lived stream tickets: EventSource cannot send headers, so a browser trades its
 * token for a ticket and puts that in the URL, where a leaked copy is worth nothing after use or
 * after a few seconds. Kept in this instance's memory.
 */
export class TicketStore {
  readonly #tickets = new Map<string, { access: Access; expiresAt: number }>();

  constructor(readonly ttlMs: number, readonly maxTickets: number) {}

  /** Undefined when too many tickets are outstanding. */
  issue(access: Access, now = Date.now()): { ticket: string; expiresAt: number } | undefined {
    if (this.#tickets.size >= this.maxTickets) this.#sweep(now);
    if (this.#tickets.size >= this.maxTickets) return undefined;
    const ticket = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const expiresAt = Math.min(now + this.ttlMs, access.expiresAt ?? Infinity);
    this.#tickets.set(ticket, { access, expiresAt });
    return { ticket, expiresAt };
  }

  /** The ticket's access, once; undefined when unknown, used or expired. */
  redeem(ticket: string, now = Date.now()): Access | undefined {
    const entry = this.#tickets.get(ticket);
    this.#tickets.delete(ticket);
    return entry && entry.expiresAt > now ? entry.access : undefined;
  }

  #sweep(now: number): void {
    for (const [ticket, entry] of this.#tickets) if (entry.expiresAt <= now) this.#tickets.delete(ticket);
  }
}
