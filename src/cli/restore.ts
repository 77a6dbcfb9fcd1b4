import { resolve } from "node:path";
import { auditKeyFromSecret, auditMac } from "../audit/chain.js";
import { configPathFrom, loadConfig } from "../config/loader.js";
import type { VigilConfig } from "../config/schema.js";
import { openSecrets } from "../config/sealed-secrets.js";
import { planSecretRestore, type SecretRestorePlan, writeSecretFiles } from "../config/secret-files.js";
import { loadSecrets, readSecretFile, secretsDirectory } from "../config/secrets.js";
import type { AuditEntry } from "../contract/audit.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { createLogger } from "../core/logger.js";
import { inspectBackup, readBackupHeader } from "../store/backup-reader.js";
import { isStoreEmpty, restoreEntries } from "../store/backup-restore.js";
import { Database } from "../store/database.js";
import { daemonAnswers } from "./daemon-probe.js";
import { emit, fail, progress } from "./output.js";
import { readPassphrase } from "./passphrase-input.js";
import { recordInRestoredChain } from "./restore-audit.js";

export interface RestoreOptions {
  config?: string;
  json?: boolean;
  force?: boolean;
  /** `--no-secrets` sets this false: restore the store only, even when the backup holds secrets. */
  secrets?: boolean;
}

const AUDIT_KEY = "audit_hmac_key";

type KeyCheck = "ok" | "empty-chain" | "mismatch" | "no-key";

/** Whether the audit chain in the backup verifies under the key this box will run with. */
function checkAuditKey(head: AuditEntry | undefined, keyText: string | undefined): KeyCheck {
  if (!head) return "empty-chain";
  if (keyText === undefined) return "no-key";
  return auditMac(auditKeyFromSecret(keyText), head.prev_mac, head) === head.mac ? "ok" : "mismatch";
}

async function localAuditKey(dir: string, plan: SecretRestorePlan | undefined): Promise<string | undefined> {
  const restored = plan?.missing.get(AUDIT_KEY);
  // Read as the daemon reads secret files: a trailing newline is not part of the secret.
  if (restored) return restored.toString("utf8").replace(/\r?\n$/, "");
  try {
    return await readSecretFile(dir, AUDIT_KEY);
  } catch {
    return undefined;
  }
}

async function openStore(config: Readonly<VigilConfig>): Promise<Database> {
  const database = new Database(config.data_dir, createLogger({ level: "silent" }), { attempts: 4, delayMs: 250 });
  try {
    await database.start();
  } catch (err) {
    if (!isVigilError(err, ErrorCodes.STORE_LOCKED)) throw err;
    throw new VigilError(ErrorCodes.STORE_LOCKED, `the store at ${database.location} is in use (a daemon is running): stop it (systemctl stop vigil), then restore`, { cause: err });
  }
  return database;
}

/** Writes the entries into an empty store (emptied first with --force); a failure part-way empties it again. */
async function restoreStore(config: Readonly<VigilConfig>, file: string, force: boolean, total: number, show: (done: number, total: number) => void): Promise<number> {
  const database = await openStore(config);
  try {
    if (!(await isStoreEmpty(database))) {
      if (!force) throw new VigilError(ErrorCodes.CONFLICT, `the store at ${database.location} is not empty; restore into a fresh box, or add --force to replace what it holds`);
      await database.level.clear();
    }
    try {
      return await restoreEntries(database, file, (done) => show(done, total));
    } catch (err) {
      // Half a store is worse than none: a daemon would start on it and link new audit entries on.
      await database.level.clear().catch(() => {});
      throw err;
    }
  } finally {
    await database.stop();
  }
}

/**
 * `vigil restore FILE`: brings a box back from `vigil backup`. Everything that can refuse does so
 * before the first write: a running daemon, another box's backup, a damaged file, a wrong
 * passphrase, secrets files that exist with other contents, a store that is not empty, an audit
 * key that cannot verify the restored chain. Secrets files are only ever added, never replaced.
 */
export async function restore(file: string, opts: RestoreOptions): Promise<void> {
  const json = opts.json === true;
  try {
    const config = await loadConfig(configPathFrom(opts.config, process.env));
    const path = resolve(file);
    if (await daemonAnswers(config.data_dir)) {
      throw new VigilError(ErrorCodes.STORE_LOCKED, `a daemon is running on ${config.data_dir} (its admin socket answers): stop it (systemctl stop vigil), then restore`);
    }
    const header = await readBackupHeader(path);
    if (header.site !== config.site || header.gateway !== config.gateway) {
      throw new VigilError(
        ErrorCodes.CONFLICT,
        `${path} is the backup of ${header.site}/${header.gateway}, this box is ${config.site}/${config.gateway}: every stored message and the audit chain are bound to the gateway's identity; set site and gateway in the config to match`,
      );
    }
    const inspected = await inspectBackup(path, json ? undefined : progress("checking backup"));

    const secretsDir = secretsDirectory(config.secrets_dir, process.env);
    let plan: SecretRestorePlan | undefined;
    if (header.secrets && opts.secrets !== false) {
      plan = await planSecretRestore(secretsDir, await openSecrets(header.secrets, await readPassphrase()));
      if (plan.different.length > 0) {
        throw new VigilError(
          ErrorCodes.ALREADY_EXISTS,
          `secrets files already in ${secretsDir} differ from the backup's (${plan.different.join(", ")}); a restore never overwrites a secret: move them away (a fresh box's "vigil init" made them), or add --no-secrets`,
          { details: { files: plan.different } },
        );
      }
    }
    const keyCheck = checkAuditKey(inspected.auditHead, await localAuditKey(secretsDir, plan));
    if ((keyCheck === "mismatch" || keyCheck === "no-key") && opts.force !== true) {
      throw new VigilError(
        ErrorCodes.CONFLICT,
        `${keyCheck === "no-key" ? `there is no ${AUDIT_KEY} in ${secretsDir}` : `the ${AUDIT_KEY} in ${secretsDir} is not the one`} that wrote this backup's audit chain, so it would not verify: restore from a backup taken --with-secrets, or copy the old box's secrets into ${secretsDir} first; --force restores anyway`,
      );
    }

    const restored = await restoreStore(config, path, opts.force === true, header.counts.entries, json ? () => {} : progress("restoring"));
    const written = plan ? await writeSecretFiles(secretsDir, plan.missing) : [];

    const warnings: string[] = [];
    let restoredEntrySeq: number | null = null;
    if (keyCheck === "ok" || keyCheck === "empty-chain") {
      try {
        restoredEntrySeq = await recordInRestoredChain(config, await loadSecrets(config.secrets_dir, process.env), {
          actor: "system",
          action: "store.restored",
          target: `file:${path}`,
          result: "ok",
          details: { backup_created_at: header.created_at, backup_audit_head_seq: header.audit_head.seq, entries: restored, with_secrets: written.length > 0 },
        });
      } catch (err) {
        warnings.push(`the restore is not in the audit trail: ${(err as Error).message}`);
      }
    } else {
      warnings.push(`this box's ${AUDIT_KEY} does not verify the restored audit chain (restored with --force); "vigil audit verify" will report it broken`);
    }
    const result = {
      ok: true,
      file: path,
      site: header.site,
      gateway: header.gateway,
      backup_created_at: header.created_at,
      entries: restored,
      audit_head_seq: header.audit_head.seq,
      restored_entry_seq: restoredEntrySeq,
      outbox_depth: header.outbox_depth,
      secrets: header.secrets === null ? null : { written, kept: plan?.same ?? [], skipped: plan === undefined },
      warnings,
    };
    emit(json, result, () =>
      [
        `restored ${restored} entries from ${path} (${header.site}/${header.gateway}, taken ${header.created_at})`,
        `audit chain: head seq ${header.audit_head.seq}${restoredEntrySeq === null ? "" : `, then seq ${restoredEntrySeq} records this restore`}`,
        `outbox: ${Object.entries(header.outbox_depth).map(([s, n]) => `${s} ${n}`).join(", ")} waiting for central`,
        ...(written.length > 0 ? [`secrets written: ${written.join(", ")}`] : []),
        ...(plan && plan.same.length > 0 ? [`secrets already in place: ${plan.same.join(", ")}`] : []),
        ...warnings.map((w) => `warning: ${w}`),
      ].join("\n"),
    );
  } catch (err) {
    fail(err, json);
  }
}
