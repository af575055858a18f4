import type { Sql } from "postgres";
import type { TicketGrant } from "../../protocol/index.ts";
import { json } from "./writes.ts";

/** Stream tickets in the shared database, by hash: any instance redeems what another issued. */
export async function issueTicket(sql: Sql, hash: string, grant: TicketGrant, expiresAt: number): Promise<void> {
  await sql`INSERT INTO stream_tickets (ticket_hash, granted, expires_at) VALUES (${hash}, ${json(sql, grant)}, ${new Date(expiresAt)})`;
}

/**
 * Deleting the row is the redemption: of instances redeeming one ticket at once, the first delete
 * takes the row lock and the others find the row gone once it commits, so exactly one gets it back.
 */
export async function redeemTicket(sql: Sql, hash: string, now: number): Promise<TicketGrant | undefined> {
  const [row] = await sql<{ granted: TicketGrant; expires_at: Date }[]>`
    DELETE FROM stream_tickets WHERE ticket_hash = ${hash} RETURNING granted, expires_at`;
  return row && row.expires_at.getTime() > now ? row.granted : undefined;
}
