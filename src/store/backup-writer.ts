import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, rm } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { seqFromAuditKey } from "./keys.js";
import type { SealedSecrets } from "../config/sealed-secrets.js";
import { STREAMS } from "../contract/envelope.js";
import { fsyncPath } from "../core/atomic-file.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { BACKUP_FORMAT, BACKUP_VERSION, type BackupHeader, outboxStreamOf, sublevelOf } from "./backup-format.js";
import { BackupMac, trailerLine } from "./backup-mac.js";
import type { Database } from "./database.js";
import { pathExists } from "../core/fs-exists.js";

export interface BackupIdentity {
  readonly site: string;
  readonly gateway: string;
  readonly vigilVersion: string;
}

export interface WrittenBackup {
  readonly path: string;
  readonly bytes: number;
  /** The header as written, with the sealed secrets reduced to whether there are any. */
  readonly header: Omit<BackupHeader, "secrets"> & { with_secrets: boolean };
}

/** Entries read from LevelDB per step: big enough to amortise, small enough to keep the daemon's loop responsive. */
const CHUNK = 1000;

type Snapshot = ReturnType<Database["level"]["snapshot"]>;

/** Counts per sublevel and outbox stream, and the audit head, all from the one snapshot. */
async function describeSnapshot(database: Database, snapshot: Snapshot) {
  const sublevels: Record<string, number> = {};
  const outbox_depth: Record<string, number> = Object.fromEntries(STREAMS.map((s) => [s, 0]));
  let entries = 0;
  for await (const key of database.level.keys<string>({ snapshot, keyEncoding: "utf8" })) {
    entries++;
    const sub = sublevelOf(key);
    sublevels[sub] = (sublevels[sub] ?? 0) + 1;
    const stream = outboxStreamOf(key);
    if (stream !== undefined) outbox_depth[stream] = (outbox_depth[stream] ?? 0) + 1;
  }
  let audit_head: BackupHeader["audit_head"] = { seq: 0, mac: null };
  for await (const [key, value] of database.sublevels.audit.iterator({ reverse: true, snapshot })) {
    const seq = seqFromAuditKey(key);
    if (seq === undefined) continue;
    const mac = (value as { mac?: unknown } | null)?.mac;
    audit_head = { seq, mac: typeof mac === "string" ? mac : null };
    break;
  }
  return { counts: { entries, sublevels }, outbox_depth, audit_head };
}

/** The file's lines: header, then every entry of the snapshot in key order. */
async function* backupLines(
  database: Database,
  snapshot: Snapshot,
  header: BackupHeader,
  written: { entries: number },
  mac: BackupMac,
): AsyncGenerator<string> {
  const head = `${JSON.stringify(header)}\n`;
  mac.chunk(head);
  yield head;
  const iterator = database.level.iterator<string, string>({ snapshot, keyEncoding: "utf8", valueEncoding: "utf8" });
  try {
    for (;;) {
      const batch = await iterator.nextv(CHUNK);
      if (batch.length === 0) break;
      let chunk = "";
      // Parsed, not pasted: a value that is not JSON must fail the backup now, not the restore later.
      for (const [key, raw] of batch) chunk += `${JSON.stringify([key, JSON.parse(raw)])}\n`;
      written.entries += batch.length;
      mac.chunk(chunk);
      yield chunk;
    }
  } finally {
    await iterator.close();
  }
  yield trailerLine(mac.hex());
}

function unwritable(path: string, err: NodeJS.ErrnoException): VigilError {
  if (["EACCES", "EPERM", "EROFS", "ENOENT", "ENOTDIR"].includes(err.code ?? "")) {
    return new VigilError(
      ErrorCodes.VALIDATION,
      `path: cannot write ${path} (${err.code ?? "?"}): the process holding the store writes the backup; under the shipped systemd unit it may write only below /var/lib/vigil (e.g. /var/lib/vigil/backups/)`,
      { details: { field: "path" }, cause: err },
    );
  }
  return new VigilError(ErrorCodes.INTERNAL, `writing backup ${path}: ${err.message}`, { cause: err });
}

/**
 * Writes a consistent backup of the whole store to `path` while the store stays in use. Every
 * read comes from one LevelDB snapshot, so a batch (an incident with its outbox envelope, an audit
 * entry with its own) is in the file entirely or not at all, whatever is written meanwhile. The
 * file appears under its name only when complete and fsynced (written aside, then hard-linked,
 * which also refuses to replace an existing file), readable by its owner only. The last line is a
 * MAC over all the others under `macKey` (backupMacKey of audit_hmac_key).
 */
export async function writeBackup(
  database: Database,
  path: string,
  identity: BackupIdentity,
  secrets: SealedSecrets | null,
  macKey: Buffer,
  now: Date = new Date(),
): Promise<WrittenBackup> {
  if (!isAbsolute(path))
    throw new VigilError(ErrorCodes.VALIDATION, `path: ${path} is not absolute`, { details: { field: "path" } });
  if (await pathExists(path))
    throw new VigilError(ErrorCodes.ALREADY_EXISTS, `${path} already exists; a backup never replaces a file`, {
      details: { field: "path" },
    });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.partial`);
  const snapshot = database.level.snapshot();
  try {
    const described = await describeSnapshot(database, snapshot);
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      site: identity.site,
      gateway: identity.gateway,
      created_at: now.toISOString(),
      vigil_version: identity.vigilVersion,
      ...described,
      secrets,
    };
    const written = { entries: 0 };
    let bytes = 0;
    const output = createWriteStream(temp, { flags: "wx", mode: 0o600 });
    try {
      // Errors opening the file (EACCES, ENOENT) surface here too.
      await pipeline(
        Readable.from(backupLines(database, snapshot, header, written, new BackupMac(macKey))),
        createGzip(),
        output,
      );
      bytes = output.bytesWritten;
    } catch (err) {
      if (isVigilError(err)) throw err;
      throw unwritable(path, err as NodeJS.ErrnoException);
    }
    // A snapshot cannot change under us; if the counts disagree, something is badly wrong.
    if (written.entries !== described.counts.entries) {
      throw new VigilError(
        ErrorCodes.INTERNAL,
        `backup read ${written.entries} entries but counted ${described.counts.entries} in the same snapshot`,
      );
    }
    await fsyncPath(temp);
    try {
      await link(temp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST")
        throw new VigilError(
          ErrorCodes.ALREADY_EXISTS,
          `${path} appeared while the backup was written; it was left alone`,
          { details: { field: "path" } },
        );
      throw unwritable(path, err as NodeJS.ErrnoException);
    }
    await fsyncPath(dirname(path));
    const { secrets: sealed, ...rest } = header;
    return { path, bytes, header: { ...rest, with_secrets: sealed !== null } };
  } finally {
    await rm(temp, { force: true }).catch(() => {});
    await snapshot.close();
  }
}
