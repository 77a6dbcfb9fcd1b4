import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { type SealedSecrets, sealSecrets } from "../config/sealed-secrets.js";
import { readSecretFiles } from "../config/secret-files.js";
import { secretsDirectory } from "../config/secrets.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { WrittenBackup } from "../store/backup-writer.js";
import { adminCall, type OfflineAdmin } from "./admin-client.js";
import { openOfflineAdmin } from "./offline-admin.js";
import { CONFIG_HELP, emit, fail } from "./output.js";
import { readNewPassphrase } from "./passphrase-input.js";
import { restore, type RestoreOptions } from "./restore.js";
import { pathExists } from "../core/fs-exists.js";

interface BackupOptions {
  config?: string;
  json?: boolean;
  withSecrets?: boolean;
}

function describe(w: WrittenBackup): string {
  const h = w.header;
  return [
    `backup written: ${w.path} (${w.bytes} bytes, mode 0600)`,
    `${h.counts.entries} entries from ${h.site}/${h.gateway} at ${h.created_at}; audit head seq ${h.audit_head.seq}`,
    `outbox: ${Object.entries(h.outbox_depth)
      .map(([s, n]) => `${s} ${n}`)
      .join(", ")}`,
    h.with_secrets
      ? "secrets: included, encrypted under the passphrase"
      : "secrets: not included (keep a copy of secrets_dir, or use --with-secrets)",
  ].join("\n");
}

/** `vigil backup FILE`: the snapshot is written by whichever process holds the store. */
async function backup(file: string, opts: BackupOptions, offline: OfflineAdmin): Promise<void> {
  const json = opts.json === true;
  try {
    const config = await loadConfig(configPathFrom(opts.config, process.env));
    // The daemon writes the file, and its working directory is not ours: it gets an absolute path.
    const path = resolve(file);
    // Checked here too, so nobody types a passphrase twice for a backup that is then refused.
    if (await pathExists(path))
      throw new VigilError(ErrorCodes.ALREADY_EXISTS, `${path} already exists; a backup never replaces a file`, {
        details: { field: "path" },
      });
    let secrets: SealedSecrets | undefined;
    if (opts.withSecrets === true) {
      // Read and sealed here, by the caller: the passphrase and the clear secrets never cross the socket.
      const files = await readSecretFiles(secretsDirectory(config.secrets_dir, process.env));
      secrets = await sealSecrets(files, await readNewPassphrase());
    }
    // A big store takes minutes to write, and the daemon answers only when the file is complete.
    const written = await adminCall<WrittenBackup>(
      config,
      offline,
      "store.backup",
      { path, ...(secrets ? { secrets } : {}) },
      { timeoutMs: 6 * 3600_000 },
    );
    // A daemon with a private /tmp (systemd PrivateTmp=) writes where this shell cannot see.
    const seen = await stat(path).catch(() => undefined);
    if (seen?.size !== written.bytes) {
      throw new VigilError(
        ErrorCodes.NOT_FOUND,
        `the daemon wrote ${path}, but it is not visible from here (a systemd service has its own /tmp): write backups below /var/lib/vigil/backups and copy them off the box from there`,
      );
    }
    emit(json, { ok: true, ...written }, () => describe(written));
  } catch (err) {
    fail(err, json);
  }
}

/** `vigil backup FILE [--with-secrets]` and `vigil restore FILE [--force] [--no-secrets]`. */
export function registerBackupCommands(program: Command, offline: OfflineAdmin = openOfflineAdmin): void {
  program
    .command("backup")
    .description(
      "write a consistent snapshot of the store to a new file (gzip'd JSON lines, mode 0600), also while the daemon runs",
    )
    .argument(
      "<file>",
      "the backup file to create; never overwritten. With a running daemon the daemon writes it: under systemd, a path below /var/lib/vigil",
    )
    .option(
      "--with-secrets",
      "also include the secrets files, encrypted under a passphrase (stdin when it is not a terminal, else asked)",
    )
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((file: string, opts: BackupOptions) => backup(file, opts, offline));

  program
    .command("restore")
    .description(
      "bring a stopped box back from a backup: the store, and the secrets if the backup holds them and they are not there yet",
    )
    .argument("<file>", "a file written by `vigil backup`")
    .option(
      "--force",
      "replace a store that is not empty, and restore even when this box's audit key cannot verify the backup's chain",
    )
    .option("--no-secrets", "restore only the store, even when the backup holds secrets")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((file: string, opts: RestoreOptions) => restore(file, opts));
}
