import { z } from "zod";
import { LOG_LEVELS } from "./log.ts";

const seconds = (fallback: number) => z.coerce.number().positive().max(86_400).default(fallback);
const count = (fallback: number, max: number) => z.coerce.number().int().positive().max(max).default(fallback);

/** Environment settings of the `npm start` / `deno task start` hub; each is in the README's table. */
export const EnvConfig = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z.string().url().optional(),
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((value) => value?.split(",").map((origin) => origin.trim()).filter(Boolean)),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  PROGRESS_PER_SECOND: z.coerce.number().positive().max(1000).default(10),
  STALL_AFTER_SECONDS: seconds(60),
  LEASE_SECONDS: seconds(30),
  HEARTBEAT_SECONDS: seconds(25),
  SSE_HEARTBEAT_SECONDS: seconds(15),
  MAX_FRAME_BYTES: count(16_384, 1_048_576),
  MAX_BODY_BYTES: count(1_048_576, 16_777_216),
  MAX_QUEUE_BYTES: count(1_048_576, 67_108_864),
  MAX_SUBSCRIPTIONS: count(100, 10_000),
  HISTORY_PER_JOB: count(1_000, 1_000_000),
  MAX_FINISHED_JOBS: count(1_000, 1_000_000),
  FINISHED_TTL_SECONDS: count(3_600, 31_536_000),
  CONCURRENCY: count(16, 10_000),
  INSTANCE_LEASE_SECONDS: seconds(30),
  DATABASE_POOL_SIZE: count(10, 1_000),
  DATABASE_STATEMENT_TIMEOUT_SECONDS: seconds(30),
  AUTH: z.enum(["none", "jwt"]).default("none"),
  JWT_SECRET: z.string().optional(),
  JWT_PUBLIC_KEY_FILE: z.string().optional(),
  JWT_JWKS_FILE: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
  AUTH_TIMEOUT_SECONDS: seconds(5),
  PRODUCER_TOKEN_SECRET: z.string().min(32).optional(),
  MAX_CONNECTIONS_PER_IP: count(100, 1_000_000),
  WS_FRAMES_PER_SECOND: count(50, 100_000),
  WS_FRAME_BURST: count(100, 100_000),
  SUBMITS_PER_SECOND: count(20, 100_000),
  SUBMIT_BURST: count(100, 100_000),
});
export type EnvConfig = z.infer<typeof EnvConfig>;

export function readEnvConfig(env: Record<string, string | undefined>): EnvConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = EnvConfig.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
