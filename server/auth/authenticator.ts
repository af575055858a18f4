import { AccessClaims } from "../protocol/index.ts";
import type { Engine } from "../engines/engine.ts";
import { Problem } from "../http/problem.ts";
import type { Logger } from "../log.ts";
import { type Access, accessFromClaims, producerAccess } from "./access.ts";
import { JwtError, verifyJwt } from "./jwt.ts";
import { importVerificationKeys, type KeySources, type VerificationKey } from "./keys.ts";
import { ProducerTokens } from "./producer-tokens.ts";
import { TicketStore } from "./tickets.ts";

/** `createHub({ auth })`: turns on `AUTH=jwt`. */
export interface JwtAuthOptions extends KeySources {
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required in `aud`, when set. */
  audience?: string;
  /** Leeway for `exp` and `nbf` against clock drift; default 30. */
  clockSkewSeconds?: number;
  /** How long a WebSocket may stay open before its `auth` frame; default 5000. */
  authTimeoutMs?: number;
  /** Signs outside workers' producer tokens; share it between instances. Default: random per process. */
  producerTokenSecret?: string;
  /** Lifetime of SSE tickets; default 30000. */
  ticketTtlMs?: number;
}

/** Verifies access tokens and producer tokens, and hands out stream tickets. */
export class Authenticator {
  readonly ready: Promise<void>;
  readonly tickets: TicketStore;
  readonly producerTokens: ProducerTokens;
  readonly authTimeoutMs: number;
  #keys: VerificationKey[] = [];

  constructor(readonly options: JwtAuthOptions, engine: Engine, readonly logger: Logger) {
    this.ready = importVerificationKeys(options).then((keys) => {
      this.#keys = keys;
    });
    this.tickets = new TicketStore(engine, options.ticketTtlMs ?? 30_000, 100_000);
    this.producerTokens = new ProducerTokens(options.producerTokenSecret);
    this.authTimeoutMs = options.authTimeoutMs ?? 5_000;
  }

  /** A user's access token (a JWT); throws 401 `unauthorized`. */
  async verifyAccessToken(token: string): Promise<Access> {
    await this.ready;
    let payload: Record<string, unknown>;
    try {
      payload = await verifyJwt(token, this.#keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockSkewSeconds: this.options.clockSkewSeconds ?? 30,
      });
    } catch (error) {
      if (!(error instanceof JwtError)) throw error;
      this.logger.debug("token refused", { reason: error.message });
      throw unauthorized();
    }
    const claims = AccessClaims.safeParse(payload);
    if (!claims.success) {
      this.logger.debug("token refused", { reason: "invalid claims" });
      throw unauthorized();
    }
    return accessFromClaims(claims.data);
  }

  /** A JWT or, for reports, a job's producer token; throws 401 `unauthorized`. */
  async verifyBearer(token: string): Promise<Access> {
    if (!ProducerTokens.looksLikeOne(token)) return await this.verifyAccessToken(token);
    const jobId = await this.producerTokens.verify(token);
    if (jobId === undefined) throw unauthorized();
    return producerAccess(jobId);
  }
}

export function unauthorized(): Problem {
  return new Problem("unauthorized", "a valid access token is required");
}
