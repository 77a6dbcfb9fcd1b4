import { resolve } from "node:path";
import { configPathFrom, loadConfig } from "../config/loader.js";
import type { VigilConfig } from "../config/schema.js";
import { openSecrets } from "../config/sealed-secrets.js";
import { planSecretRestore, type SecretRestorePlan, writeSecretFiles } from "../config/secret-files.js";
import { loadSecrets, secretsDirectory } from "../config/secrets.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { createLogger } from "../core/logger.js";
import { type InspectedBackup, inspectBackup, readBackupHeader } from "../store/backup-reader.js";
import { backupMacKey } from "../store/backup-mac.js";
import { isStoreEmpty, restoreEntries } from "../store/backup-restore.js";
import { Database } from "../store/database.js";
import { daemonAnswers } from "./daemon-probe.js";
import { emit, fail, progress } from "./output.js";
import { readPassphrase } from "./passphrase-input.js";
import { recordInRestoredChain } from "./restore-audit.js";
import { AUDIT_KEY, checkAuditKey, lastAuditEntry, localAuditKey, wrongKey } from "./restore-checks.js";

export interface RestoreOptions {
  config?: string;
  json?: boolean;
  force?: boolean;
  /** `--no-secrets` sets this false: restore the store only, even when the backup holds secrets. */
  secrets?: boolean;
}

async function openStore(config: Readonly<VigilConfig>): Promise<Database> {
  const database = new Database(config.data_dir, createLogger({ level: "silent" }), { attempts: 4, delayMs: 250 });
  try {
    await database.start();
  } catch (err) {
    if (!isVigilError(err, ErrorCodes.STORE_LOCKED)) throw err;
    throw new VigilError(
      ErrorCodes.STORE_LOCKED,
      `the store at ${database.location} is in use (a daemon is running): stop it (systemctl stop vigil), then restore`,
      { cause: err },
    );
  }
  return database;
}

/** Writes the entries into an empty store (emptied first with --force); a failure part-way empties it again. */
async function restoreStore(
  config: Readonly<VigilConfig>,
  file: string,
  macKey: Buffer,
  force: boolean,
  total: number,
  show: (done: number, total: number) => void,
): Promise<number> {
  const database = await openStore(config);
  try {
    if (!(await isStoreEmpty(database))) {
      if (!force)
        throw new VigilError(
          ErrorCodes.CONFLICT,
          `the store at ${database.location} is not empty; restore into a fresh box, or add --force to replace what it holds`,
        );
      await database.level.clear();
    }
    try {
      return await restoreEntries(database, file, macKey, (done) => show(done, total));
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
      throw new VigilError(
        ErrorCodes.STORE_LOCKED,
        `a daemon is running on ${config.data_dir} (its admin socket answers): stop it (systemctl stop vigil), then restore`,
      );
    }
    const header = await readBackupHeader(path);
    if (header.site !== config.site || header.gateway !== config.gateway) {
      throw new VigilError(
        ErrorCodes.CONFLICT,
        `${path} is the backup of ${header.site}/${header.gateway}, this box is ${config.site}/${config.gateway}: every stored message and the audit chain are bound to the gateway's identity; set site and gateway in the config to match`,
      );
    }

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
    // The whole file is authenticated under a key derived from audit_hmac_key (the backup's own,
    // when it carries secrets): without that key nothing can be checked, so nothing is restored.
    const keyText = await localAuditKey(secretsDir, plan);
    if (keyText === undefined)
      throw new VigilError(
        ErrorCodes.CONFLICT,
        `there is no ${AUDIT_KEY} in ${secretsDir} to verify this backup with: restore from a backup taken --with-secrets, or copy the old box's secrets into ${secretsDir} first`,
      );
    const macKey = backupMacKey(keyText);
    let inspected: InspectedBackup;
    try {
      inspected = await inspectBackup(path, macKey, json ? undefined : progress("checking backup"));
    } catch (err) {
      // A MAC that fails under the wrong key is the wrong key, not tampering: say which.
      if (
        isVigilError(err, ErrorCodes.BACKUP_TAMPERED) &&
        checkAuditKey(await lastAuditEntry(path), keyText) === "mismatch"
      )
        throw wrongKey(secretsDir);
      throw err;
    }
    if (!inspected.authenticated && opts.force !== true) {
      throw new VigilError(
        ErrorCodes.BACKUP_TAMPERED,
        `${path} is a format 1 backup, which carries no MAC and cannot be checked for changes; --force restores it anyway`,
        { details: { field: "file" } },
      );
    }
    const keyCheck = checkAuditKey(inspected.auditHead, keyText);
    if (keyCheck === "mismatch" || keyCheck === "no-key") {
      if (inspected.authenticated || opts.force !== true) throw wrongKey(secretsDir);
    }

    const restored = await restoreStore(
      config,
      path,
      macKey,
      opts.force === true,
      header.counts.entries,
      json ? () => {} : progress("restoring"),
    );
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
          details: {
            backup_created_at: header.created_at,
            backup_audit_head_seq: header.audit_head.seq,
            entries: restored,
            with_secrets: written.length > 0,
          },
        });
      } catch (err) {
        warnings.push(`the restore is not in the audit trail: ${(err as Error).message}`);
      }
    } else {
      warnings.push(
        `this box's ${AUDIT_KEY} does not verify the restored audit chain (restored with --force); "vigil audit verify" will report it broken`,
      );
    }
    if (!inspected.authenticated)
      warnings.push("a format 1 backup carries no MAC: it was restored with --force without a check for changes");
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
        `outbox: ${Object.entries(header.outbox_depth)
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")} waiting for central`,
        ...(written.length > 0 ? [`secrets written: ${written.join(", ")}`] : []),
        ...(plan && plan.same.length > 0 ? [`secrets already in place: ${plan.same.join(", ")}`] : []),
        ...warnings.map((w) => `warning: ${w}`),
      ].join("\n"),
    );
  } catch (err) {
    fail(err, json);
  }
}
