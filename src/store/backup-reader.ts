import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { seqFromAuditKey } from "./keys.js";
import type { AuditEntry } from "../contract/audit.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { type BackupHeader, parseEntry, parseHeader, sublevelOf } from "./backup-format.js";
import { BackupMac, trailerMac } from "./backup-mac.js";

const AUDIT_PREFIX = "!audit!";

function readError(path: string, err: unknown): VigilError {
  if (isVigilError(err)) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return new VigilError(ErrorCodes.NOT_FOUND, `no backup file at ${path}`, { cause: err });
  if (e.code === "EACCES")
    return new VigilError(ErrorCodes.VALIDATION, `cannot read ${path}: permission denied`, {
      details: { field: "file" },
      cause: err,
    });
  // zlib: a flipped byte fails the CRC, a cut file ends early; either way the file cannot be trusted.
  return new VigilError(ErrorCodes.VALIDATION, `${path} is damaged or truncated: ${e.message}`, {
    details: { field: "file" },
    cause: err,
  });
}

/** No line of a backup is longer: a crafted file cannot make a restore hold gigabytes in one string. */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;

/** The decompressed lines of a backup; damage anywhere in the gzip stream, or an overlong line, ends it with an error. */
export async function* readBackupLines(path: string, maxLine = MAX_LINE_CHARS): AsyncGenerator<string> {
  const file = createReadStream(path);
  const gunzip = createGunzip();
  file.on("error", (err) => gunzip.destroy(err));
  file.pipe(gunzip);
  const decoder = new StringDecoder("utf8");
  let rest = "";
  try {
    for await (const chunk of gunzip) {
      const parts = (rest + decoder.write(chunk as Buffer)).split("\n");
      rest = parts.pop() ?? "";
      if (rest.length > maxLine || parts.some((p) => p.length > maxLine)) {
        throw new VigilError(
          ErrorCodes.VALIDATION,
          `${path} has a line longer than ${maxLine} characters: not a Vigil backup`,
          { details: { field: "file" } },
        );
      }
      yield* parts;
    }
  } catch (err) {
    throw readError(path, err);
  } finally {
    file.destroy();
    gunzip.destroy();
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}

/** Only the header: enough to refuse a wrong box before reading gigabytes. */
export async function readBackupHeader(path: string): Promise<BackupHeader> {
  for await (const line of readBackupLines(path)) return parseHeader(path, line);
  throw new VigilError(ErrorCodes.VALIDATION, `${path} is empty`, { details: { field: "file" } });
}

/**
 * Every entry after the header, checked line by line. With `macKey`, a version 2 file's MAC
 * trailer is checked at the end (VIGIL_E_BACKUP_TAMPERED): a caller writing entries as they come
 * must undo them when the generator throws; `inspectBackup` reads the whole file first.
 */
export async function* readBackupEntries(path: string, macKey?: Buffer): AsyncGenerator<[string, unknown]> {
  let lineNo = 0;
  let mac: BackupMac | undefined;
  let trailer: string | undefined;
  for await (const line of readBackupLines(path)) {
    lineNo++;
    if (trailer !== undefined)
      throw new VigilError(ErrorCodes.BACKUP_TAMPERED, `${path}: line ${lineNo} follows the MAC trailer`, {
        details: { field: "file" },
      });
    if (lineNo === 1) {
      if (macKey && parseHeader(path, line).version >= 2) mac = new BackupMac(macKey);
      mac?.line(line);
      continue;
    }
    trailer = trailerMac(line);
    if (trailer !== undefined) continue;
    mac?.line(line);
    yield parseEntry(path, line, lineNo);
  }
  mac?.verify(path, trailer);
}

export interface InspectedBackup {
  readonly header: BackupHeader;
  /** Whether a MAC trailer verified the whole file (false only for version 1 files, which have none). */
  readonly authenticated: boolean;
  /** The last audit entry in the file, to check against the key of the box it is restored on. */
  readonly auditHead: AuditEntry | undefined;
}

/**
 * Reads the whole file once without writing anything: gzip intact, every line an entry, as many
 * of them per sublevel as the header promises, and (version 2) the MAC over all of it. A restore
 * starts writing only after this.
 */
export async function inspectBackup(
  path: string,
  macKey: Buffer,
  onProgress?: (done: number, total: number) => void,
): Promise<InspectedBackup> {
  const header = await readBackupHeader(path);
  const seen: Record<string, number> = {};
  let entries = 0;
  let auditHead: AuditEntry | undefined;
  for await (const [key, value] of readBackupEntries(path, macKey)) {
    entries++;
    const sub = sublevelOf(key);
    seen[sub] = (seen[sub] ?? 0) + 1;
    if (key.startsWith(AUDIT_PREFIX) && seqFromAuditKey(key.slice(AUDIT_PREFIX.length)) !== undefined)
      auditHead = value as AuditEntry;
    if (onProgress && entries % 1000 === 0) onProgress(entries, header.counts.entries);
  }
  onProgress?.(entries, header.counts.entries);
  const promised = header.counts.sublevels;
  const names = new Set([...Object.keys(seen), ...Object.keys(promised)]);
  const short = [...names].filter((n) => (seen[n] ?? 0) !== (promised[n] ?? 0));
  if (entries !== header.counts.entries || short.length > 0) {
    throw new VigilError(
      ErrorCodes.VALIDATION,
      `${path} holds ${entries} entries but its header says ${header.counts.entries} (differing: ${short.map((n) => n || "(root)").join(", ") || "none"}): truncated or altered`,
      { details: { field: "file" } },
    );
  }
  if ((auditHead?.seq ?? 0) !== header.audit_head.seq) {
    throw new VigilError(
      ErrorCodes.VALIDATION,
      `${path}: the last audit entry is seq ${auditHead?.seq ?? 0}, the header says ${header.audit_head.seq}`,
      { details: { field: "file" } },
    );
  }
  return { header, authenticated: header.version >= 2, auditHead };
}
