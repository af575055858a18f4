export * from "./job.ts";
export * from "./report.ts";
export * from "./rest.ts";
export * from "./channel.ts";
export * from "./frames.ts";
export * from "./errors.ts";
export * from "./new-job.ts";
export * from "./auth.ts";
