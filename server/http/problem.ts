import type { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "../protocol/index.ts";

/** An error answered to a client: `{"error":{"code","message","details"?}}` with the code's HTTP status. */
export class Problem extends Error {
  readonly status: number;
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  headers: Record<string, string> = {};

  constructor(readonly code: ErrorCode, message: string, readonly details?: unknown) {
    super(message);
    this.status = ERROR_CODES[code];
  }

  withHeaders(headers: Record<string, string>): this {
    this.headers = { ...this.headers, ...headers };
    return this;
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }

  static fromZod(code: ErrorCode, what: string, error: z.ZodError): Problem {
    const first = error.issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join(".")}` : "";
    return new Problem(code, `${what}: ${first?.message ?? "invalid"}${where}`, error.issues);
  }
}
