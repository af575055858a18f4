import { z } from "zod";
import { Channel, ResumePosition } from "./channel.ts";
import type { Job, JobEvent } from "./job.ts";

const FrameId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Frames a client sends over the WebSocket. */
export const ClientFrame = z.discriminatedUnion("op", [
  z.object({ op: z.literal("subscribe"), id: FrameId, channel: Channel, since: ResumePosition.optional() }).strict(),
  z.object({ op: z.literal("unsubscribe"), id: FrameId, channel: Channel }).strict(),
  z.object({ op: z.literal("ping"), id: FrameId.optional() }).strict(),
  z.object({ op: z.literal("pong"), id: FrameId.optional() }).strict(),
  /** `AUTH=jwt`: the first frame, and again later to refresh the token without reconnecting. */
  z.object({ op: z.literal("auth"), id: FrameId.optional(), token: z.string().min(1).max(8192) }).strict(),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** Frames the hub sends. Server frames are built by the hub, so they are typed, not parsed. */
export type ServerFrame =
  | { op: "welcome"; epoch: string; heartbeatMs: number; maxFrameBytes: number }
  | {
    op: "subscribed";
    id: number;
    channel: string;
    snapshot: Job | Job[];
    /** True when every event since the requested position was replayed after this frame. */
    recovered: boolean;
    /** Position as of the snapshot; resume from here. */
    pos: string;
  }
  | { op: "event"; channel: string; pos: string; event: JobEvent }
  | { op: "unsubscribed"; id: number; channel: string }
  | { op: "ping" }
  | { op: "pong"; id?: number }
  | { op: "authed"; id?: number; expiresAt: string }
  | { op: "error"; id?: number; code: string; message: string; details?: unknown };

/** The body of an SSE `job` message: the same as a WebSocket `event` frame less `op`. */
export type StreamMessage = { channel: string; pos: string; event: JobEvent };
