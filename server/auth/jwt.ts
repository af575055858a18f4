import { decodeBase64Url } from "./base64url.ts";
import { VERIFY_PARAMS, type VerificationKey } from "./keys.ts";

export interface JwtChecks {
  issuer?: string;
  audience?: string;
  clockSkewSeconds: number;
}

/** Why a token was refused; logged and counted, never shown with the token itself. */
export class JwtError extends Error {}

const MAX_TOKEN_CHARS = 8192;

/**
 * Verifies a compact JWS and its time, issuer and audience claims; returns the payload. The
 * algorithm must be the one of a configured key, so `alg: none` and HS256-signed-with-a-public-key
 * tokens find no key and are refused.
 */
export async function verifyJwt(token: string, keys: readonly VerificationKey[], checks: JwtChecks, now = Date.now()): Promise<Record<string, unknown>> {
  if (token.length > MAX_TOKEN_CHARS) throw new JwtError("token too long");
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("not a compact JWS");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = parseJsonSegment(headerPart);
  const payload = parseJsonSegment(payloadPart);
  const signature = decodeBase64Url(signaturePart);
  if (!signature) throw new JwtError("malformed signature");
  if (header.crit !== undefined) throw new JwtError("critical header extensions are not supported");

  const candidates = keys.filter((key) => key.algorithm === header.alg && (header.kid === undefined || key.kid === undefined || key.kid === header.kid));
  if (candidates.length === 0) throw new JwtError(`no key for alg ${String(header.alg)}`);
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  let valid = false;
  for (const candidate of candidates) {
    if (await crypto.subtle.verify(VERIFY_PARAMS[candidate.algorithm], candidate.key, signature, signed)) {
      valid = true;
      break;
    }
  }
  if (!valid) throw new JwtError("bad signature");

  const nowSeconds = now / 1000;
  if (typeof payload.exp !== "number") throw new JwtError("exp is required");
  if (payload.exp + checks.clockSkewSeconds <= nowSeconds) throw new JwtError("expired");
  if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || payload.nbf - checks.clockSkewSeconds > nowSeconds)) throw new JwtError("not yet valid");
  if (checks.issuer !== undefined && payload.iss !== checks.issuer) throw new JwtError("wrong issuer");
  if (checks.audience !== undefined) {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.includes(checks.audience)) throw new JwtError("wrong audience");
  }
  return payload;
}

function parseJsonSegment(segment: string): Record<string, unknown> {
  const bytes = decodeBase64Url(segment);
  if (!bytes) throw new JwtError("malformed segment");
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new JwtError("malformed segment");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new JwtError("malformed segment");
  return value as Record<string, unknown>;
}
