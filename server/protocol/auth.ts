import { z } from "zod";
import { Control, Labels } from "./job.ts";

/** A channel grant: a channel name, or `job:*`, `jobs:*` or `*` for every channel of that form. */
export const ChannelGrant = z
  .string()
  .max(200)
  .regex(/^(\*|jobs|jobs:\*|job:\*|jobs:[A-Za-z0-9._-]{1,64}|job:[A-Za-z0-9._-]{1,128})$/, "expected a channel, job:*, jobs:* or *");

/** A submit grant: a job type, or `*` for any. */
export const SubmitGrant = z.string().max(64).regex(/^(\*|[a-z0-9][a-z0-9._-]*)$/i, "expected a job type or *");

/**
 * The Jobcast claims of an access token (`AUTH=jwt`). Standard claims (`iss`, `aud`, `nbf`) are
 * checked by the verifier; `exp` is required so that no token is valid forever. A grant left out
 * grants nothing.
 */
export const AccessClaims = z.object({
  sub: z.string().max(256).optional(),
  exp: z.number().finite(),
  /** Channels the token may subscribe to and read over REST. */
  channels: z.array(ChannelGrant).max(100).default([]),
  /** Job types the token may submit. */
  submit: z.array(SubmitGrant).max(100).default([]),
  /** Controls the token may apply to the jobs it sees. */
  controls: z.array(Control).max(10).default([]),
  /** May report progress for the outside jobs it sees, without the job's producer token. */
  report: z.boolean().default(false),
  /** Scopes the token: it sees only jobs carrying every one of these labels, and its jobs get them. */
  labels: Labels.default({}),
});
export type AccessClaims = z.infer<typeof AccessClaims>;

/**
 * What a stream ticket grants, stored with the ticket so that every instance sharing the engine
 * rebuilds the same access: the verified claims of the access token it was issued for, or the one
 * job of the producer token it was issued for.
 */
export const TicketGrant = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("claims"), claims: AccessClaims }),
  z.object({ kind: z.literal("producer"), jobId: z.string().min(1) }),
]);
export type TicketGrant = z.infer<typeof TicketGrant>;
