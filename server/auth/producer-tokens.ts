import { decodeBase64Url, encodeBase64Url } from "./base64url.ts";

const PREFIX = "jcp_";

/**
 * Per-job tokens for outside workers: `jcp_<jobId>.<HMAC-SHA256(jobId)>`. Stateless, so every
 * instance sharing the secret accepts them and nothing accumulates; each is worth one job only.
 */
export class ProducerTokens {
  readonly #key: Promise<CryptoKey>;

  /** Without a secret, a random one: tokens then hold only on this instance until it restarts. */
  constructor(secret: string | undefined) {
    const bytes = secret === undefined ? crypto.getRandomValues(new Uint8Array(32)) : new TextEncoder().encode(secret);
    this.#key = crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  }

  static looksLikeOne(token: string): boolean {
    return token.startsWith(PREFIX);
  }

  async issue(jobId: string): Promise<string> {
    const mac = await crypto.subtle.sign("HMAC", await this.#key, new TextEncoder().encode(jobId));
    return `${PREFIX}${jobId}.${encodeBase64Url(new Uint8Array(mac))}`;
  }

  /** The job the token is for, or undefined when it is not one of this hub's. */
  async verify(token: string): Promise<string | undefined> {
    const dot = token.lastIndexOf(".");
    if (!token.startsWith(PREFIX) || dot < 0) return undefined;
    const jobId = token.slice(PREFIX.length, dot);
    const mac = decodeBase64Url(token.slice(dot + 1));
    if (!mac || jobId.length === 0) return undefined;
    // crypto.subtle.verify compares in constant time.
    return await crypto.subtle.verify("HMAC", await this.#key, mac, new TextEncoder().encode(jobId)) ? jobId : undefined;
  }
}
