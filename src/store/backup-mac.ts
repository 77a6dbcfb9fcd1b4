import { createHmac, hkdfSync, type Hmac, timingSafeEqual } from "node:crypto";
import { ErrorCodes, VigilError } from "../core/errors.js";

/**
 * A backup is authenticated as a whole: HMAC-SHA256 over every line before the last (header and
 * entries, each with its newline), under a key derived from `audit_hmac_key` for this one
 * purpose. The last line is the trailer `{"vigil_backup_mac":"<hex>"}`. An edited user record,
 * an added API key or camera, a dropped line or a cut file all fail it, and a restore checks it
 * before writing a single key.
 */
export const TRAILER_FIELD = "vigil_backup_mac";

/** The MAC key: HKDF-SHA256 of the audit key's secret text, bound to backups. */
export function backupMacKey(auditSecret: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", Buffer.from(auditSecret, "utf8"), Buffer.alloc(0), Buffer.from("vigil-backup-mac/2"), 32),
  );
}

export function trailerLine(mac: string): string {
  return `${JSON.stringify({ [TRAILER_FIELD]: mac })}\n`;
}

/** The MAC a trailer line carries, or undefined when the line is not a trailer. */
export function trailerMac(line: string): string | undefined {
  if (!line.startsWith(`{"${TRAILER_FIELD}"`)) return undefined;
  try {
    const mac = (JSON.parse(line) as Record<string, unknown>)[TRAILER_FIELD];
    return typeof mac === "string" ? mac : undefined;
  } catch {
    return undefined;
  }
}

export class BackupMac {
  private readonly hmac: Hmac;

  constructor(key: Buffer) {
    this.hmac = createHmac("sha256", key);
  }

  /** One line, without its newline. */
  line(text: string): void {
    this.hmac.update(text, "utf8").update("\n");
  }

  /** Several lines as written, each ending in a newline. */
  chunk(text: string): void {
    this.hmac.update(text, "utf8");
  }

  hex(): string {
    return this.hmac.digest("hex");
  }

  /** Throws VIGIL_E_BACKUP_TAMPERED unless `expected` is this MAC. */
  verify(file: string, expected: string | undefined): void {
    const actual = Buffer.from(this.hex(), "hex");
    const given = Buffer.from(expected ?? "", "hex");
    if (expected === undefined)
      throw new VigilError(
        ErrorCodes.BACKUP_TAMPERED,
        `${file} has no MAC trailer: cut short, or not written by this Vigil`,
        { details: { field: "file" } },
      );
    if (given.length !== actual.length || !timingSafeEqual(given, actual)) {
      throw new VigilError(
        ErrorCodes.BACKUP_TAMPERED,
        `${file} does not verify under this box's audit_hmac_key: it was changed after it was written (or another key wrote it)`,
        { details: { field: "file" } },
      );
    }
  }
}
