import type { AuditEntry } from "../contract/audit.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { WriteOp } from "../store/group-commit.js";
import { auditKey } from "../store/keys.js";
import { isAuditEntry } from "./chain.js";

/**
 * Audit entries by target (sublevel `audit_idx`): `<escaped target>!<seq key>` -> seq, written in
 * the entry's own batch, so an evidence export reads its incident's entries, not the whole chain.
 * The index is not part of the chain: `vigil audit verify` never reads it, and what it points at
 * is read from the chain and checked against the target.
 */
export const TARGET_INDEX_BUILT = "audit_idx!built";

const escapeTarget = (target: string): string => encodeURIComponent(target).replace(/!/g, "%21");

export function targetIndexOp(database: Database, entry: Pick<AuditEntry, "target" | "seq">): WriteOp {
  return {
    type: "put",
    sublevel: database.sublevels.audit_idx,
    key: `${escapeTarget(entry.target)}!${auditKey(entry.seq)}`,
    value: entry.seq,
  };
}

/** Every entry with this target, in seq order, through the index (a full walk if it was never built). */
export async function auditTrailOf(database: Database, target: string): Promise<AuditEntry[]> {
  const { audit, audit_idx: idx, meta } = database.sublevels;
  if ((await meta.get(TARGET_INDEX_BUILT)) === undefined) {
    const out: AuditEntry[] = [];
    for await (const value of audit.values()) if (isAuditEntry(value) && value.target === target) out.push(value);
    return out;
  }
  const prefix = `${escapeTarget(target)}!`;
  const seqs = (await idx.values({ gte: prefix, lt: `${prefix}\uffff` }).all()) as number[];
  const found: unknown[] = await audit.getMany(seqs.map(auditKey));
  return found.filter((e): e is AuditEntry => isAuditEntry(e) && e.target === target);
}

/** Indexes the entries of a chain from before the index, once, at start (idempotent: a crash midway redoes it). */
export async function buildTargetIndex(database: Database, log: Logger): Promise<void> {
  const { audit, meta } = database.sublevels;
  if ((await meta.get(TARGET_INDEX_BUILT)) !== undefined) return;
  let ops: WriteOp[] = [];
  let done = 0;
  for await (const value of audit.values()) {
    if (!isAuditEntry(value)) continue;
    ops.push(targetIndexOp(database, value));
    if (ops.length >= 5000) {
      await database.level.batch(ops);
      done += ops.length;
      ops = [];
    }
  }
  done += ops.length;
  ops.push({ type: "put", sublevel: meta, key: TARGET_INDEX_BUILT, value: new Date().toISOString() });
  await database.level.batch(ops, { sync: true });
  log.info({ entries: done }, "audit entries indexed by target");
}
