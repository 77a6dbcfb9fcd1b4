// The encrypted watchlist store on a real LevelDB: what lies on disk, deletion, wrong keys,
// missing keys, and key rotation.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCodes } from "../../src/core/errors.js";
import type { PersonRecord } from "../../src/watchlist/person-record.js";
import type { KeyringLoad } from "../../src/watchlist/watchlist-key-file.js";
import { buildKeyring } from "../../src/watchlist/watchlist-keyring.js";
import { WatchlistStore } from "../../src/watchlist/watchlist-store.js";
import { newPersonId } from "../../src/watchlist/watchlist-service.js";
import { expectVigil } from "../helpers/expect-vigil.js";
import { openStoreStack, type StoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const secret = (): string => randomBytes(32).toString("base64url");
const ok =
  (current: string, retired: string[] = []) =>
  async (): Promise<KeyringLoad> => ({ ok: true, ring: buildKeyring(current, retired) });
const vector = (seed: number): Float32Array =>
  Float32Array.from({ length: 192 }, (_, i) => Math.sin(seed * 7.3 + i * 0.37));

function person(embeddings: number): PersonRecord {
  return {
    id: newPersonId(),
    name: "Ada Example",
    threshold: null,
    notes: "test",
    created_by: "tester",
    created_at: new Date().toISOString(),
    model: "m1",
    embeddings,
  };
}

void describe("WatchlistStore", () => {
  let dir: string;
  let stack: StoreStack;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-watchlist-"));
    stack = await openStoreStack(dir);
  });
  after(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async (load: () => Promise<KeyringLoad>): Promise<WatchlistStore> => {
    const store = new WatchlistStore(stack.db, stack.commits, load, silentLogger());
    await store.start();
    return store;
  };
  const raw = async (): Promise<Array<[string, unknown]>> => stack.db.sublevels.watchlist.iterator().all();
  const clear = async (): Promise<void> => {
    for (const [k] of await raw()) await stack.db.sublevels.watchlist.del(k);
  };

  void it("stores embeddings encrypted: neither the float bytes nor their text are on disk", async () => {
    await clear();
    const key = secret();
    const store = await open(ok(key));
    const p = person(2);
    const vs = [vector(1), vector(2)];
    await store.insert(p, vs);
    const entries = await raw();
    assert.equal(entries.length, 3);
    const dump = JSON.stringify(entries);
    for (const v of vs) {
      assert.ok(!dump.includes(String(v[3]).slice(0, 8)), "a float's text is on disk");
      for (const [, value] of entries) {
        const ct = (value as { ct?: string }).ct;
        if (ct)
          assert.equal(
            Buffer.from(ct, "base64").indexOf(Buffer.from(v.buffer, 0, 16)),
            -1,
            "plaintext float bytes in a ciphertext",
          );
      }
    }
    await store.stop();
    // Reopened with the same key, it reads back exactly what it wrote.
    const again = await open(ok(key));
    assert.deepEqual([...([...again.gallery()][0]?.embeddings[1] ?? [])], [...(vs[1] ?? [])]);
    await again.stop();
  });

  void it("deletes a person with every stored key under their id, leaving the others", async () => {
    await clear();
    const store = await open(ok(secret()));
    const gone = person(3),
      kept = person(1);
    await store.insert(gone, [vector(1), vector(2), vector(3)]);
    await store.insert(kept, [vector(4)]);
    assert.equal((await store.remove(gone.id)).id, gone.id);
    const keys = (await raw()).map(([k]) => k);
    assert.deepEqual(
      keys.filter((k) => k.includes(gone.id)),
      [],
    );
    assert.equal(keys.filter((k) => k.includes(kept.id)).length, 2);
    assert.deepEqual(
      store.list().map((p) => p.id),
      [kept.id],
    );
    assert.equal([...store.gallery()].length, 1);
    await assert.rejects(
      store.remove(gone.id),
      (err: unknown) => (err as { code?: string }).code === ErrorCodes.NOT_FOUND,
    );
    await store.stop();
  });

  void it("with the wrong key it stays off with a code, and the daemon carries on", async () => {
    await clear();
    const first = await open(ok(secret()));
    await first.insert(person(1), [vector(1)]);
    await first.stop();
    const wrong = await open(ok(secret()));
    assert.equal(wrong.status.available, false);
    assert.equal(wrong.status.code, ErrorCodes.WATCHLIST_KEY_UNKNOWN);
    assert.deepEqual([...wrong.gallery()], []);
    expectVigil(() => wrong.list(), ErrorCodes.WATCHLIST_UNAVAILABLE);
    await wrong.stop();
  });

  void it("a tampered ciphertext keeps it off with WATCHLIST_DECRYPT_FAILED", async () => {
    await clear();
    const key = secret();
    const first = await open(ok(key));
    const p = person(1);
    await first.insert(p, [vector(1)]);
    await first.stop();
    const [ek, ev] = (await raw()).find(([k]) => k.startsWith("e:")) as [string, { ct: string }];
    const ct = Buffer.from(ev.ct, "base64");
    ct[0] = (ct[0] as number) ^ 1;
    await stack.db.sublevels.watchlist.put(ek, { ...ev, ct: ct.toString("base64") });
    const again = await open(ok(key));
    assert.equal(again.status.code, ErrorCodes.WATCHLIST_DECRYPT_FAILED);
    await again.stop();
  });

  void it("without a key it is off with the reason, and nothing can be enrolled", async () => {
    const store = await open(async () => ({
      ok: false,
      code: ErrorCodes.SECRET_MISSING,
      reason: 'secret "watchlist_key" not readable',
    }));
    assert.equal(store.status.available, false);
    assert.match(store.status.reason ?? "", /watchlist_key/);
    await assert.rejects(
      store.insert(person(1), [vector(1)]),
      (err: unknown) => (err as { code?: string }).code === ErrorCodes.WATCHLIST_UNAVAILABLE,
    );
    await store.stop();
  });

  void it("after rotation old entries still open, are re-sealed with the new key, and the old key can go", async () => {
    await clear();
    const oldKey = secret(),
      newKey = secret();
    const first = await open(ok(oldKey));
    const p = person(2);
    await first.insert(p, [vector(5), vector(6)]);
    const oldId = first.status.key_id;
    await first.stop();
    const rotated = await open(ok(newKey, [oldKey]));
    assert.equal(rotated.status.available, true);
    const newId = rotated.status.key_id;
    assert.notEqual(newId, oldId);
    const g = [...rotated.gallery()][0];
    assert.deepEqual([...(g?.embeddings[1] ?? [])], [...vector(6)]);
    await rotated.stop();
    const kids = (await raw()).filter(([k]) => k.startsWith("e:")).map(([, v]) => (v as { kid: string }).kid);
    assert.deepEqual(kids, [newId, newId]);
    // Re-sealed, so the retired key is no longer needed.
    const only = await open(ok(newKey));
    assert.equal(only.status.available, true);
    assert.equal(only.status.embeddings, 2);
    await only.stop();
  });
});
