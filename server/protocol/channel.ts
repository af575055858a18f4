import { z } from "zod";

/** What a job id can look like (the hub makes UUIDs); anything else names no job. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** `job:<id>` (one job), `jobs` (every job), `jobs:<type>` (every job of one type). */
export const Channel = z
  .string()
  .max(200)
  .regex(/^(jobs|jobs:[A-Za-z0-9._-]{1,64}|job:[A-Za-z0-9._-]{1,128})$/, "expected job:<id>, jobs or jobs:<type>");
export type Channel = z.infer<typeof Channel>;

export type ChannelTarget =
  | { kind: "job"; id: string }
  | { kind: "all" }
  | { kind: "type"; type: string };

export function parseChannel(channel: string): ChannelTarget {
  if (channel === "jobs") return { kind: "all" };
  if (channel.startsWith("jobs:")) return { kind: "type", type: channel.slice(5) };
  return { kind: "job", id: channel.slice(4) };
}

/**
 * A resume position names the hub's epoch and the hub-wide offset of the last event seen:
 * `"<epoch>:<offset>"`. A position from another epoch cannot be resumed from history.
 */
export const ResumePosition = z.string().max(100).regex(/^[A-Za-z0-9_-]{1,64}:\d{1,16}$/, "expected <epoch>:<offset>");

export function formatPosition(epoch: string, offset: number): string {
  return `${epoch}:${offset}`;
}

export function parsePosition(position: string): { epoch: string; offset: number } | undefined {
  const match = /^([A-Za-z0-9_-]{1,64}):(\d{1,16})$/.exec(position);
  return match ? { epoch: match[1]!, offset: Number(match[2]) } : undefined;
}
