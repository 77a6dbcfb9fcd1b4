import { createHash, hkdfSync } from "node:crypto";
import { ErrorCodes, VigilError } from "../core/errors.js";

/** One AES-256 key and the id stored beside every ciphertext made with it. */
export interface WatchlistKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The key new ciphertexts use, and every key old ones may name. */
export interface WatchlistKeyring {
  readonly current: WatchlistKey;
  readonly byId: ReadonlyMap<string, WatchlistKey>;
}

const INFO = "vigil watchlist embeddings v1";

/**
 * A secret file's text -> key. The AES key is derived with HKDF so the stored key id (a digest
 * of the secret) reveals nothing about the key itself, and the same secret text always gives the
 * same id: no separate naming step an installer could get wrong.
 */
export function watchlistKeyFromSecret(secret: string): WatchlistKey {
  const ikm = Buffer.from(secret, "utf8");
  const key = Buffer.from(hkdfSync("sha256", ikm, Buffer.alloc(0), INFO, 32));
  const id = createHash("sha256").update("vigil watchlist key id\0").update(ikm).digest("hex").slice(0, 16);
  return { id, key };
}

/** Current key first, then retired ones (one secret per line) that may still be named by stored entries. */
export function buildKeyring(current: string, retired: readonly string[] = []): WatchlistKeyring {
  const cur = watchlistKeyFromSecret(current);
  const byId = new Map<string, WatchlistKey>();
  for (const text of retired) {
    const k = watchlistKeyFromSecret(text);
    byId.set(k.id, k);
  }
  byId.set(cur.id, cur);
  return { current: cur, byId };
}

/** The lines of a retired-keys file: blank lines and `#` comments are skipped. */
export function parseRetiredKeys(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith("#"));
}

export function keyFor(ring: WatchlistKeyring, id: string): WatchlistKey {
  const k = ring.byId.get(id);
  if (!k)
    throw new VigilError(
      ErrorCodes.WATCHLIST_KEY_UNKNOWN,
      `watchlist entry was encrypted with key ${id}, which is not in the keyring (current ${ring.current.id})`,
      { details: { key_id: id } },
    );
  return k;
}
