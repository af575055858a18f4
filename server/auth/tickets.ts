import { TicketGrant } from "../protocol/index.ts";
import type { Engine } from "../engines/engine.ts";
import { type Access, accessFromGrant } from "./access.ts";
import { encodeBase64Url } from "./base64url.ts";
import { TokenBucket } from "./rate-limit.ts";

/**
 * Single-use, short-lived stream tickets: EventSource cannot send headers, so a browser trades its
 * token for a ticket and puts that in the URL, where a leaked copy is worth nothing after use or
 * after a few seconds. Kept by the engine, so that a ticket issued by one instance opens a stream on
 * any instance sharing its storage; the engine keeps only a hash of each ticket.
 */
export class TicketStore {
  /** `maxTickets` per ticket lifetime: bounds the tickets of this instance that storage holds. */
  readonly #issuing: TokenBucket;
  readonly #engine: Engine;

  constructor(engine: Engine, readonly ttlMs: number, readonly maxTickets: number) {
    this.#engine = engine;
    this.#issuing = new TokenBucket(maxTickets / (ttlMs / 1000), maxTickets);
  }

  /** A ticket for exactly this access, never outliving it; undefined when this instance issued too many lately. */
  async issue(access: Access, now = Date.now()): Promise<{ ticket: string; expiresAt: number } | undefined> {
    if (!access.grant) throw new Error("open access needs no ticket");
    if (!this.#issuing.take(now)) return undefined;
    const ticket = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const expiresAt = Math.min(now + this.ttlMs, access.expiresAt ?? Infinity);
    await this.#engine.issueTicket(await ticketHash(ticket), access.grant, expiresAt);
    return { ticket, expiresAt };
  }

  /** The ticket's access, once, on any instance; undefined when unknown, used or expired. */
  async redeem(ticket: string, now = Date.now()): Promise<Access | undefined> {
    const stored = await this.#engine.redeemTicket(await ticketHash(ticket), now);
    // Stored grants outlive the hub version that wrote them: one that no longer fits is refused.
    const grant = TicketGrant.safeParse(stored);
    return grant.success ? accessFromGrant(grant.data) : undefined;
  }
}

/** SHA-256 of the ticket: what storage keeps instead of the ticket. */
async function ticketHash(ticket: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(ticket));
  return encodeBase64Url(new Uint8Array(digest));
}
