import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { SealedSecretsSchema } from "../config/sealed-secrets.js";
import { ErrorCodes, VigilError } from "../core/errors.js";

/**
 * A store backup file (`vigil backup`): gzip'd JSON lines. The first line is the header; every
 * other line is one LevelDB entry as `[key, value]`, the key as the root database stores it (with
 * its sublevel prefix, `!outbox!alerts!0000000000000042`), in key order. Plain text under gzip so
 * that `zcat FILE | head -1 | jq` answers "what is in this backup" without Vigil. Since version 2
 * the last line is a MAC trailer over all the others (backup-mac.ts).
 */
export const BACKUP_FORMAT = "vigil-store-backup";
/** 2: a MAC trailer authenticates the whole file (backup-mac.ts). 1 is read only with --force. */
export const BACKUP_VERSION = 2;

export const BackupHeaderSchema = Type.Object({
  format: Type.Literal(BACKUP_FORMAT),
  version: Type.Union([Type.Literal(1), Type.Literal(BACKUP_VERSION)]),
  site: Type.String(),
  gateway: Type.String(),
  created_at: Type.String(),
  vigil_version: Type.String(),
  counts: Type.Object({
    entries: Type.Integer({ minimum: 0 }),
    /** Entries per sublevel (`""` for keys outside any sublevel). */
    sublevels: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  }),
  /** The last audit entry in the snapshot (seq 0 and mac null when the chain is empty). */
  audit_head: Type.Object({ seq: Type.Integer({ minimum: 0 }), mac: Type.Union([Type.String(), Type.Null()]) }),
  /** Outbox messages waiting per stream at the snapshot. */
  outbox_depth: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  /** The secrets files, encrypted under a passphrase; null unless taken `--with-secrets`. */
  secrets: Type.Union([SealedSecretsSchema, Type.Null()]),
});
export type BackupHeader = Static<typeof BackupHeaderSchema>;

const checkHeader = TypeCompiler.Compile(BackupHeaderSchema);

/** The sublevel a root key belongs to: `!audit!0001` -> `audit`; a key outside every sublevel -> `""`. */
export function sublevelOf(rootKey: string): string {
  const match = /^!([^!]+)!/.exec(rootKey);
  return match?.[1] ?? "";
}

/** `!outbox!alerts!0000000000000042` -> `alerts`; undefined for keys of other sublevels. */
export function outboxStreamOf(rootKey: string): string | undefined {
  const match = /^!outbox!([^!]+)!/.exec(rootKey);
  return match?.[1];
}

function unreadable(file: string, problem: string): VigilError {
  return new VigilError(ErrorCodes.VALIDATION, `${file} is not a usable Vigil backup: ${problem}`, {
    details: { field: "file" },
  });
}

/** Checks the first line; a newer format version is named as such rather than as damage. */
export function parseHeader(file: string, line: string | undefined): BackupHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(line ?? "");
  } catch {
    throw unreadable(file, "the first line is not a JSON header");
  }
  const tagged = raw as { format?: unknown; version?: unknown } | null;
  if (tagged?.format !== BACKUP_FORMAT) throw unreadable(file, `the header does not say format "${BACKUP_FORMAT}"`);
  if (typeof tagged.version === "number" && tagged.version > BACKUP_VERSION) {
    throw unreadable(
      file,
      `format version ${tagged.version} is newer than this Vigil reads (${BACKUP_VERSION}); restore with a newer Vigil`,
    );
  }
  if (!checkHeader.Check(raw)) {
    const first = checkHeader.Errors(raw).First();
    throw unreadable(file, `header ${first?.path ?? ""} ${first?.message ?? "is invalid"}`);
  }
  return raw;
}

/** One `[key, value]` line back into its parts; the line number goes into the error. */
export function parseEntry(file: string, line: string, lineNo: number): [string, unknown] {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw unreadable(file, `line ${lineNo} is not JSON`);
  }
  if (
    !Array.isArray(raw) ||
    raw.length !== 2 ||
    typeof raw[0] !== "string" ||
    raw[0].length === 0 ||
    raw[1] === undefined ||
    raw[1] === null
  ) {
    throw unreadable(file, `line ${lineNo} is not a [key, value] entry`);
  }
  return [raw[0], raw[1] as unknown];
}
