import { auditKeyFromSecret, auditMac } from "../audit/chain.js";
import { seqFromAuditKey } from "../store/keys.js";
import type { SecretRestorePlan } from "../config/secret-files.js";
import { readSecretFile } from "../config/secrets.js";
import type { AuditEntry } from "../contract/audit.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { readBackupEntries } from "../store/backup-reader.js";

/** What `vigil restore` checks a backup's audit chain and key with, before anything is written. */
export const AUDIT_KEY = "audit_hmac_key";

type KeyCheck = "ok" | "empty-chain" | "mismatch" | "no-key";

/** Whether the audit chain in the backup verifies under the key this box will run with. */
export function checkAuditKey(head: AuditEntry | undefined, keyText: string | undefined): KeyCheck {
  if (!head) return "empty-chain";
  if (keyText === undefined) return "no-key";
  return auditMac(auditKeyFromSecret(keyText), head.prev_mac, head) === head.mac ? "ok" : "mismatch";
}

export async function localAuditKey(dir: string, plan: SecretRestorePlan | undefined): Promise<string | undefined> {
  const restored = plan?.missing.get(AUDIT_KEY);
  // Read as the daemon reads secret files: a trailing newline is not part of the secret.
  if (restored) return restored.toString("utf8").replace(/\r?\n$/, "");
  try {
    return await readSecretFile(dir, AUDIT_KEY);
  } catch {
    return undefined;
  }
}

export const wrongKey = (secretsDir: string): VigilError =>
  new VigilError(
    ErrorCodes.CONFLICT,
    `the ${AUDIT_KEY} in ${secretsDir} is not the one that wrote this backup, so neither the backup nor its audit chain can be verified: restore from a backup taken --with-secrets, or copy the old box's secrets into ${secretsDir} first`,
  );

/** The backup's last audit entry, read without any check (only to tell a wrong key from an edit). */
export async function lastAuditEntry(path: string): Promise<AuditEntry | undefined> {
  let last: AuditEntry | undefined;
  for await (const [key, value] of readBackupEntries(path))
    if (key.startsWith("!audit!") && seqFromAuditKey(key.slice(7)) !== undefined) last = value as AuditEntry;
  return last;
}
