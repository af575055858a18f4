import { encodeBase64Url } from "../../server/auth/base64url.ts";

export const SECRET = "a-test-secret-that-is-long-enough-for-hs256";
export const ISSUER = "https://issuer.test";
export const AUDIENCE = "jobcast-test";

const text = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Standard claims a valid token carries, merged under the test's own. */
export function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISSUER, aud: AUDIENCE, sub: "user-1", exp: nowSeconds() + 600, ...extra };
}

/** An HS256 token signed with `secret`. */
export async function hs256(payload: Record<string, unknown>, secret = SECRET, header: Record<string, unknown> = { alg: "HS256", typ: "JWT" }): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signingInput = `${text(header)}.${text(payload)}`;
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signingInput));
  return `${signingInput}.${encodeBase64Url(new Uint8Array(signature))}`;
}

/** An unsigned `alg: none` token. */
export function unsigned(payload: Record<string, unknown>): string {
  return `${text({ alg: "none", typ: "JWT" })}.${text(payload)}.`;
}

/** A fresh ES256 key pair: the public JWK for the hub, and a signer for tests. */
export async function es256KeyPair(): Promise<{ publicJwk: JsonWebKey; sign(payload: Record<string, unknown>): Promise<string> }> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]) as CryptoKeyPair;
  const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return {
    publicJwk: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y },
    async sign(payload) {
      const signingInput = `${text({ alg: "ES256", typ: "JWT" })}.${text(payload)}`;
      const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new TextEncoder().encode(signingInput));
      return `${signingInput}.${encodeBase64Url(new Uint8Array(signature))}`;
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
