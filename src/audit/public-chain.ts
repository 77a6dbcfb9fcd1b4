import { createHash } from "node:crypto";
import type { AuditEntry } from "../contract/audit.js";
import { canonicalJson } from "./canonical.js";

/**
 * The audit trail's public commitment, pure: a SHA-256 hash chain over the canonical (JCS) form of
 * each whole stored entry, macs included. The HMAC chain can only be checked by someone holding
 * the gateway's secret; this one by anyone. Its head at a seq is carried in the Ed25519-signed
 * checkpoint (`chain` claim), so a consumer holding only the gateway's public key can recompute it
 * from the `audit.entry` messages it received and see an altered, missing, reordered or inserted
 * entry, and show the signed checkpoint plus the entries to a third party as proof.
 *
 * A hash chain, not a Merkle tree (RFC 9162): central receives every entry anyway, so it never
 * needs logarithmic inclusion proofs, and a chain costs one hash per entry to keep incrementally.
 */

const HEX64 = /^[0-9a-f]{64}$/;

export function isChainHash(value: unknown): value is string {
  return typeof value === "string" && HEX64.test(value);
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The chain value before entry 1; bound to the box like the HMAC genesis. */
export function publicGenesis(site: string, gateway: string): string {
  return sha256(`vigil-audit-public-genesis:${canonicalJson({ site, gateway })}`);
}

/** chain(n) = SHA-256("vigil-audit-public:" + chain(n-1) + JCS(entry n)). */
export function publicLink(previous: string, entry: AuditEntry): string {
  return sha256(`vigil-audit-public:${previous}${canonicalJson(entry)}`);
}

/** An incremental fold: where the chain stands after the entries given so far. */
export interface PublicHead {
  readonly seq: number;
  readonly chain: string;
}

/** Folds entries onto `head`; entries must continue it with seq head.seq + 1, + 2, ... */
export function foldEntries(head: PublicHead, entries: Iterable<AuditEntry>): PublicHead {
  let { seq, chain } = head;
  for (const entry of entries) {
    if (entry.seq !== seq + 1) throw new RangeError(`audit entry ${entry.seq} does not follow ${seq}`);
    chain = publicLink(chain, entry);
    seq = entry.seq;
  }
  return { seq, chain };
}
