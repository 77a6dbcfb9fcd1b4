// Issue 15, finding 12: AES-GCM decryption pins a 16-byte tag. Without it Node accepts a tag cut
// to 4 bytes, and a forger needs 2^32 tries instead of 2^128.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TokenKeyRing } from "../../src/auth/token-keyring.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { openEmbedding, sealEmbedding } from "../../src/watchlist/embedding-cipher.js";
import { buildKeyring } from "../../src/watchlist/watchlist-keyring.js";
import { expectVigil } from "../helpers/expect-vigil.js";
import { openStoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const cut = (b64: string, encoding: "base64" | "base64url"): string =>
  Buffer.from(b64, encoding).subarray(0, 4).toString(encoding);

void describe("AES-GCM tag length", () => {
  void it("the watchlist cipher refuses a truncated tag", () => {
    const ring = buildKeyring(randomBytes(32).toString("base64url"));
    const sealed = sealEmbedding(ring, new Float32Array([0.25, -1, 3]), "person:1");
    assert.deepEqual([...openEmbedding(ring, sealed, "person:1")], [0.25, -1, 3]);
    expectVigil(
      () => openEmbedding(ring, { ...sealed, tag: cut(sealed.tag, "base64") }, "person:1"),
      ErrorCodes.WATCHLIST_DECRYPT_FAILED,
    );
  });

  void it("the token key ring discards a stored key whose tag was truncated", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-sec-gcm-"));
    const secret = randomBytes(32).toString("base64url");
    const store = await openStoreStack(dir);
    try {
      const first = new TokenKeyRing(store.db, store.commits, secret, silentLogger());
      await first.start();
      const kid = first.current.kid;
      const stored = (await store.db.sublevels.keyring.get(kid)) as { tag: string };
      await store.db.sublevels.keyring.put(kid, { ...stored, tag: cut(stored.tag, "base64url") });
      const again = new TokenKeyRing(store.db, store.commits, secret, silentLogger());
      await again.start();
      assert.notEqual(again.current.kid, kid, "the tampered key is not used");
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
