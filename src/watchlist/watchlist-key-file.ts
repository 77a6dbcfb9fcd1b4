import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { WATCHLIST_RETIRED_KEYS_FILE } from "../config/schema.js";
import { readStrongSecret } from "../config/secrets.js";
import { isVigilError } from "../core/errors.js";
import { buildKeyring, parseRetiredKeys, type WatchlistKeyring } from "./watchlist-keyring.js";

export const WATCHLIST_KEY_SECRET = "watchlist_key";

export type KeyringLoad =
  | { readonly ok: true; readonly ring: WatchlistKeyring }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/**
 * Reads `watchlist_key` (and the optional `watchlist_key.retired`) from the secrets search path.
 * A missing or weak key is reported, not thrown: the watchlist is then off with that reason and
 * the rest of the daemon runs. Rotation: move the current key's line into the retired file,
 * write a new key, restart; entries sealed with a retired key still open and are re-sealed.
 */
export async function loadWatchlistKeyring(dirs: readonly string[]): Promise<KeyringLoad> {
  let current: string;
  try {
    current = await readStrongSecret(dirs, WATCHLIST_KEY_SECRET);
  } catch (err) {
    if (isVigilError(err)) return { ok: false, code: err.code, reason: err.message };
    throw err;
  }
  const retired: string[] = [];
  for (const dir of dirs) {
    try {
      retired.push(...parseRetiredKeys(await readFile(join(dir, WATCHLIST_RETIRED_KEYS_FILE), "utf8")));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return { ok: true, ring: buildKeyring(current, retired) };
}
