import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { api, type RunningHub, startHub } from "../support/hub.ts";
import { AUDIENCE, bearer, claims, es256KeyPair, hs256, ISSUER, SECRET, unsigned } from "../support/tokens.ts";

const reader = { channels: ["jobs"] };

describe("AUTH=jwt token verification (HS256)", () => {
  let hub: RunningHub;
  before(async () => {
    hub = await startHub({ auth: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, clockSkewSeconds: 30 } });
  });
  after(() => hub.stop());

  const list = (headers: Record<string, string>) => api(hub.url, "GET", "/v1/jobs", undefined, headers);
  const refused = async (headers: Record<string, string>, why: string) => {
    const answer = await list(headers);
    assert.equal(answer.status, 401, why);
    assert.equal(answer.body.error.code, "unauthorized", why);
    assert.match(answer.headers.get("www-authenticate") ?? "", /^Bearer/, why);
  };

  it("accepts a valid token and refuses a request without one", async () => {
    assert.equal((await list(bearer(await hs256(claims(reader))))).status, 200);
    await refused({}, "no token");
    await refused({ authorization: "Basic Zm9vOmJhcg==" }, "not a bearer token");
  });

  it("refuses forged, expired, early, wrong-audience, wrong-issuer, alg none and malformed tokens", async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(bearer(await hs256(claims(reader), "another-secret-that-is-long-enough-to-sign")), "forged signature");
    await refused(bearer(await hs256(claims({ ...reader, exp: now - 60 }))), "expired beyond the skew");
    await refused(bearer(await hs256(claims({ ...reader, nbf: now + 120 }))), "not yet valid");
    await refused(bearer(await hs256(claims({ ...reader, aud: "someone-else" }))), "wrong audience");
    await refused(bearer(await hs256(claims({ ...reader, iss: "https://evil.test" }))), "wrong issuer");
    await refused(bearer(unsigned(claims(reader))), "alg none");
    await refused(bearer(await hs256(claims(reader), SECRET, { alg: "HS512" })), "an algorithm no key allows");
    const { exp: _, ...noExpiry } = claims(reader);
    await refused(bearer(await hs256(noExpiry)), "no exp");
    await refused(bearer(await hs256(claims({ channels: ["not a channel"] }))), "invalid claims");
    await refused(bearer("a.b.c"), "garbage");
  });

  it("tolerates expiry within the clock skew", async () => {
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await list(bearer(await hs256(claims({ ...reader, exp: now - 5 }))))).status, 200);
    assert.equal((await list(bearer(await hs256(claims({ ...reader, aud: ["other", AUDIENCE] }))))).status, 200);
  });
});

describe("AUTH=jwt with an ES256 public key", () => {
  let hub: RunningHub;
  let keys: Awaited<ReturnType<typeof es256KeyPair>>;
  before(async () => {
    keys = await es256KeyPair();
    hub = await startHub({ auth: { publicKey: keys.publicJwk, audience: AUDIENCE } });
  });
  after(() => hub.stop());

  it("accepts tokens signed by the key and refuses HS256 tokens, whatever their secret (no algorithm confusion)", async () => {
    assert.equal((await api(hub.url, "GET", "/v1/jobs", undefined, bearer(await keys.sign(claims(reader))))).status, 200);
    const other = await es256KeyPair();
    assert.equal((await api(hub.url, "GET", "/v1/jobs", undefined, bearer(await other.sign(claims(reader))))).status, 401);
    // The classic confusion: an HMAC signed with the public key's own text.
    const confused = await hs256(claims(reader), JSON.stringify(keys.publicJwk));
    assert.equal((await api(hub.url, "GET", "/v1/jobs", undefined, bearer(confused))).status, 401);
    assert.equal((await api(hub.url, "GET", "/v1/jobs", undefined, bearer(unsigned(claims(reader))))).status, 401);
  });

  it("refuses a hub configured with a short HS256 secret", async () => {
    await assert.rejects(startHub({ auth: { secret: "short" } }), /at least 32 bytes/);
  });
});
