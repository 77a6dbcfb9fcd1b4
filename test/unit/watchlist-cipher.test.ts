import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ErrorCodes } from "../../src/core/errors.js";
import { openEmbedding, sealEmbedding } from "../../src/watchlist/embedding-cipher.js";
import { buildKeyring, parseRetiredKeys, watchlistKeyFromSecret } from "../../src/watchlist/watchlist-keyring.js";
import { expectVigil } from "../helpers/expect-vigil.js";

const secret = (): string => randomBytes(32).toString("base64url");
const embedding = fc.float32Array({ minLength: 1, maxLength: 512, noNaN: true });

void describe("watchlist keyring", () => {
  void it("derives a stable key id that is not the key", () => {
    const s = secret();
    const k1 = watchlistKeyFromSecret(s),
      k2 = watchlistKeyFromSecret(s);
    assert.equal(k1.id, k2.id);
    assert.equal(k1.key.length, 32);
    assert.notEqual(k1.id, watchlistKeyFromSecret(secret()).id);
    assert.ok(!k1.key.toString("hex").includes(k1.id));
  });

  void it("parses a retired-keys file, skipping blanks and comments", () => {
    assert.deepEqual(parseRetiredKeys("# rotated 2026-01\nabc\n\n  def  \r\n"), ["abc", "def"]);
  });
});

void describe("sealEmbedding / openEmbedding", () => {
  void it("round-trips any embedding exactly", () => {
    const ring = buildKeyring(secret());
    fc.assert(
      fc.property(embedding, (v) => {
        const back = openEmbedding(ring, sealEmbedding(ring, v, "wl_x/0/m"), "wl_x/0/m");
        return back.length === v.length && back.every((x, i) => Object.is(x, v[i]));
      }),
    );
  });

  void it("stores neither the float bytes nor their text", () => {
    const ring = buildKeyring(secret());
    const v = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i + 1));
    const sealed = sealEmbedding(ring, v, "wl_x/0/m");
    const text = JSON.stringify(sealed);
    const plain = Buffer.from(v.buffer);
    assert.equal(Buffer.from(sealed.ct, "base64").indexOf(plain.subarray(0, 16)), -1);
    assert.ok(!text.includes(String(v[0]).slice(0, 6)));
    // A fresh nonce each time: the same vector never seals to the same ciphertext.
    assert.notEqual(sealEmbedding(ring, v, "wl_x/0/m").ct, sealed.ct);
  });

  void it("a wrong key fails with a code, not with garbage", () => {
    const v = Float32Array.from([0.1, 0.2, 0.3]);
    const sealed = sealEmbedding(buildKeyring(secret()), v, "wl_x/0/m");
    // Same key id claimed, different key: authentication fails.
    const other = buildKeyring(secret());
    expectVigil(
      () => openEmbedding(other, { ...sealed, kid: other.current.id }, "wl_x/0/m"),
      ErrorCodes.WATCHLIST_DECRYPT_FAILED,
    );
    // A key id the ring does not have.
    expectVigil(() => openEmbedding(other, sealed, "wl_x/0/m"), ErrorCodes.WATCHLIST_KEY_UNKNOWN);
  });

  void it("a ciphertext moved to another person or slot does not open", () => {
    const ring = buildKeyring(secret());
    const sealed = sealEmbedding(ring, Float32Array.from([1, 2, 3]), "wl_a/0/m");
    expectVigil(() => openEmbedding(ring, sealed, "wl_b/0/m"), ErrorCodes.WATCHLIST_DECRYPT_FAILED);
    expectVigil(() => openEmbedding(ring, sealed, "wl_a/1/m"), ErrorCodes.WATCHLIST_DECRYPT_FAILED);
  });

  void it("after rotation, entries sealed with the retired key still open; new ones use the new key", () => {
    const oldSecret = secret();
    const before = buildKeyring(oldSecret);
    const v = Float32Array.from([0.5, -0.25]);
    const sealed = sealEmbedding(before, v, "wl_a/0/m");
    const after = buildKeyring(secret(), [oldSecret]);
    assert.deepEqual([...openEmbedding(after, sealed, "wl_a/0/m")], [...v]);
    assert.notEqual(sealEmbedding(after, v, "wl_a/0/m").kid, sealed.kid);
  });
});
