import { readBackupEntries } from "./backup-reader.js";
import type { Database } from "./database.js";

/** Entries per LevelDB batch: a few large fsynced batches, without holding a whole store in memory. */
const BATCH = 5000;

/** True when the store holds no key at all (a box that never ran, or one just provisioned). */
export async function isStoreEmpty(database: Database): Promise<boolean> {
  for await (const _key of database.level.keys({ limit: 1 })) return false;
  return true;
}

/**
 * Writes every entry of an (already inspected) backup into the store, with its keys exactly as
 * they were, so each sublevel, the outbox's seq counters and the audit chain's links come back
 * unchanged. Each batch is fsynced; a restore that fails part-way is undone by the caller.
 */
export async function restoreEntries(
  database: Database,
  path: string,
  macKey: Buffer,
  onProgress?: (done: number) => void,
): Promise<number> {
  const db = database.level;
  let ops: Array<{ type: "put"; key: string; value: unknown }> = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (ops.length === 0) return;
    await db.batch(ops, { sync: true });
    done += ops.length;
    ops = [];
    onProgress?.(done);
  };
  // The MAC is checked again on this second read: a file swapped since the inspection fails at
  // the end, and the caller empties the store.
  for await (const [key, value] of readBackupEntries(path, macKey)) {
    ops.push({ type: "put", key, value });
    if (ops.length >= BATCH) await flush();
  }
  await flush();
  return done;
}
