import type { StreamName } from "../contract/envelope.js";

// The store's key codecs in one place. Numbers are zero-padded to one width, so LevelDB's lexical
// key order is numeric order: the audit chain and every outbox stream are read in seq order.
const SEQ_WIDTH = 16;
const AUDIT_KEY_FORMAT = /^\d{16}$/;

const padSeq = (seq: number): string => seq.toString().padStart(SEQ_WIDTH, "0");

/** An audit entry's key in the `audit` sublevel. */
export function auditKey(seq: number): string {
  return padSeq(seq);
}

/** The seq a stored audit key names, or undefined for a key the audit log never writes. */
export function seqFromAuditKey(key: string): number | undefined {
  return AUDIT_KEY_FORMAT.test(key) ? Number(key) : undefined;
}

/** An outbox message's key: its stream, then its seq. */
export function outboxKey(stream: StreamName, seq: number): string {
  return `${stream}!${padSeq(seq)}`;
}

export function seqFromOutboxKey(key: string): number {
  return Number(key.slice(key.indexOf("!") + 1));
}
