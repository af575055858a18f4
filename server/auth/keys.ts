/** The algorithms the hub accepts; each key allows exactly one, decided by the key's type. */
export type JwtAlgorithm = "HS256" | "RS256" | "ES256";

/** A key that verifies token signatures, with the one algorithm its type allows. */
export interface VerificationKey {
  algorithm: JwtAlgorithm;
  kid?: string;
  key: CryptoKey;
}

export interface KeySources {
  /** HS256 shared secret, at least 32 bytes. */
  secret?: string;
  /** RS256 or ES256 public key: PEM (SPKI) text or a JWK. */
  publicKey?: string | JsonWebKey;
  /** A JSON Web Key Set; keys are picked by `kid`. */
  jwks?: { keys: JsonWebKey[] };
}

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const EC = { name: "ECDSA", namedCurve: "P-256" } as const;

/** Verification parameters per algorithm: taken from the key, never from a token's header. */
export const VERIFY_PARAMS: Record<JwtAlgorithm, AlgorithmIdentifier | EcdsaParams> = {
  HS256: { name: "HMAC" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
};

/** Imports every configured key; throws on a key it cannot use, so a misconfigured hub fails at start. */
export async function importVerificationKeys(sources: KeySources): Promise<VerificationKey[]> {
  const keys: VerificationKey[] = [];
  if (sources.secret !== undefined) {
    const bytes = new TextEncoder().encode(sources.secret);
    // A short HMAC secret can be brute-forced offline from any one token.
    if (bytes.byteLength < 32) throw new Error("JWT_SECRET must be at least 32 bytes");
    keys.push({ algorithm: "HS256", key: await crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]) });
  }
  if (typeof sources.publicKey === "string") keys.push(await importPem(sources.publicKey));
  else if (sources.publicKey !== undefined) keys.push(await importJwk(sources.publicKey));
  for (const jwk of sources.jwks?.keys ?? []) {
    if (jwk.use !== undefined && jwk.use !== "sig") continue;
    keys.push(await importJwk(jwk));
  }
  if (keys.length === 0) throw new Error("AUTH=jwt needs JWT_SECRET, JWT_PUBLIC_KEY_FILE or JWT_JWKS_FILE");
  return keys;
}

async function importPem(pem: string): Promise<VerificationKey> {
  const match = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem);
  if (!match) throw new Error("the public key must be a PEM 'PUBLIC KEY' (SPKI) or a JWK");
  const der = Uint8Array.from(atob(match[1]!.replace(/\s+/g, "")), (char) => char.charCodeAt(0));
  for (const [algorithm, params] of [["RS256", RSA], ["ES256", EC]] as const) {
    try {
      return { algorithm, key: await crypto.subtle.importKey("spki", der, params, false, ["verify"]) };
    } catch {
      // Not this key type: try the next.
    }
  }
  throw new Error("the public key is neither RSA nor EC P-256");
}

async function importJwk(jwk: JsonWebKey & { kid?: string }): Promise<VerificationKey> {
  const algorithm: JwtAlgorithm | undefined = jwk.kty === "RSA" ? "RS256" : jwk.kty === "EC" && jwk.crv === "P-256" ? "ES256" : undefined;
  if (!algorithm) throw new Error(`unsupported JWK (kty ${jwk.kty}${jwk.crv ? `, crv ${jwk.crv}` : ""}); use RSA or EC P-256`);
  if (jwk.alg !== undefined && jwk.alg !== algorithm) throw new Error(`a ${jwk.kty} JWK cannot be used with alg ${jwk.alg}`);
  if (jwk.d !== undefined) throw new Error("the JWK holds a private key; configure only the public key");
  const { kid } = jwk;
  const publicOnly: JsonWebKey = { kty: jwk.kty, ...(algorithm === "RS256" ? { n: jwk.n, e: jwk.e } : { crv: jwk.crv, x: jwk.x, y: jwk.y }) };
  const key = await crypto.subtle.importKey("jwk", publicOnly, algorithm === "RS256" ? RSA : EC, false, ["verify"]);
  return { algorithm, key, ...(kid === undefined ? {} : { kid }) };
}
