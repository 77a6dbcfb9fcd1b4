import { createHmac, timingSafeEqual } from "node:crypto";
import type { AuditEntry } from "../contract/audit.js";
import { seqFromAuditKey } from "../store/keys.js";
import { canonicalJson } from "./canonical.js";

/**
 * The audit hash chain, pure. Each entry carries the MAC of the one before it (`prev_mac`) and its
 * own `mac` = HMAC-SHA256(key, prev_mac + JCS(entry without mac)), so changing, removing or moving
 * an entry breaks the link at that entry for anyone holding the key. Cutting the tail off leaves a
 * valid shorter chain: only the central server, holding signed checkpoints, can see that.
 */

const MAC_FORMAT = /^[0-9a-f]{64}$/;
const RESULTS: ReadonlySet<string> = new Set(["ok", "denied", "error"]);

export type AuditEntryBody = Omit<AuditEntry, "mac">;
export type BreakReason = "mac_mismatch" | "prev_mismatch" | "gap" | "out_of_order" | "malformed";

export interface VerifyResult {
  ok: boolean;
  /** Entries that verified in this walk: from seq 1, or after `fromSeq`. */
  checked: number;
  /** Seq of the last entry that verified (0: none). */
  lastSeq: number;
  /** Set when the walk started after the last verified checkpoint (`--from-checkpoint`) at this seq. */
  fromSeq?: number;
  firstBad?: { seq: number; reason: BreakReason };
}

/** An entry of the chain known to verify: a walk may start after it. */
export interface VerifiedPoint {
  readonly seq: number;
  readonly mac: string;
}

/** The tag that makes a stored verified point unforgeable without the audit key. */
export function verifiedTag(key: Buffer, p: VerifiedPoint): string {
  return createHmac("sha256", key).update(`vigil-audit-verified|${p.seq}|${p.mac}`).digest("hex");
}

/** The HMAC key from the `audit_hmac_key` secret file's text; daemon and CLI must agree on it. */
export function auditKeyFromSecret(secret: string): Buffer {
  return Buffer.from(secret, "utf8");
}

function hmac(key: Buffer, text: string): string {
  return createHmac("sha256", key).update(text, "utf8").digest("hex");
}

/** The `prev_mac` of entry 1. Bound to the box, so one gateway's chain cannot pass as another's. */
export function genesisMac(key: Buffer, site: string, gateway: string): string {
  return hmac(key, `vigil-audit-genesis:${canonicalJson({ site, gateway })}`);
}

export function auditMac(key: Buffer, prevMac: string, entryWithoutMac: AuditEntryBody): string {
  // A stored entry read back may still carry its mac; it is never part of what the mac covers.
  const { mac: _mac, ...body } = entryWithoutMac as AuditEntryBody & { mac?: unknown };
  return hmac(key, prevMac + canonicalJson(body));
}

function macEquals(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const isString = (v: unknown): v is string => typeof v === "string";
const optional = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || ok(v);
const isPlainObject = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);

/** Structural check of a stored value; says nothing about whether it belongs in the chain. */
export function isAuditEntry(value: unknown): value is AuditEntry {
  if (!isPlainObject(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.seq === "number" &&
    Number.isSafeInteger(v.seq) &&
    v.seq >= 1 &&
    isString(v.ts) &&
    isString(v.actor) &&
    isString(v.action) &&
    isString(v.target) &&
    isString(v.result) &&
    RESULTS.has(v.result) &&
    optional(v.source, isString) &&
    optional(v.details, isPlainObject) &&
    isString(v.prev_mac) &&
    MAC_FORMAT.test(v.prev_mac) &&
    isString(v.mac) &&
    MAC_FORMAT.test(v.mac)
  );
}

type Stored = { key: string; value: unknown };

/**
 * Walks stored entries in key order and reports the first one that breaks the chain, at the seq
 * where the break is: a changed entry fails its mac, a removed one leaves a gap at its seq, a value
 * moved to another key disagrees with that key (and with the link before it).
 */
export async function verifyEntries(
  entries: Iterable<Stored> | AsyncIterable<Stored>,
  key: Buffer,
  genesis: string,
  onProgress?: (checked: number) => void,
  from?: VerifiedPoint,
): Promise<VerifyResult> {
  let checked = 0;
  const base = from?.seq ?? 0;
  let prevMac = from?.mac ?? genesis;
  const start = from ? { fromSeq: from.seq } : {};
  const broken = (seq: number, reason: BreakReason): VerifyResult => ({
    ok: false,
    checked,
    lastSeq: base + checked,
    ...start,
    firstBad: { seq, reason },
  });
  for await (const { key: storedKey, value } of entries) {
    const expected = base + checked + 1;
    const keySeq = seqFromAuditKey(storedKey);
    if (keySeq === undefined) return broken(expected, "malformed");
    if (keySeq > expected) return broken(expected, "gap");
    // Keys are unique and sorted, so keySeq < expected means a key below 1 (0000...0).
    if (keySeq < expected) return broken(expected, "out_of_order");
    if (!isAuditEntry(value)) return broken(expected, "malformed");
    if (value.seq !== keySeq) return broken(expected, "out_of_order");
    if (!macEquals(value.prev_mac, prevMac)) return broken(expected, "prev_mismatch");
    let mac: string;
    try {
      mac = auditMac(key, prevMac, value);
    } catch {
      return broken(expected, "malformed");
    }
    if (!macEquals(value.mac, mac)) return broken(expected, "mac_mismatch");
    prevMac = value.mac;
    checked += 1;
    if (onProgress && checked % 1000 === 0) onProgress(checked);
  }
  onProgress?.(checked);
  return { ok: true, checked, lastSeq: base + checked, ...start };
}
