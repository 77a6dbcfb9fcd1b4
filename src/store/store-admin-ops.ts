import { Type } from "@sinclair/typebox";
import { type SealedSecrets, SealedSecretsSchema } from "../config/sealed-secrets.js";
import type { AdminOps } from "../contract/admin.js";
import type { AuditRecorder } from "../contract/audit.js";
import { VERSION } from "../core/version.js";
import { writeBackup } from "./backup-writer.js";
import type { Database } from "./database.js";

/** The store as the backup op sees it: the open database and whose it is. */
export interface BackupSource {
  readonly database: Database;
  readonly site: string;
  readonly gateway: string;
  /** The key that authenticates backups (backupMacKey of audit_hmac_key). */
  readonly macKey: Buffer;
}

/**
 * `store.backup`: runs in whichever process holds the store (the daemon, over its socket, or the
 * CLI when no daemon runs), because only that process can read a consistent LevelDB snapshot. The
 * secrets arrive already sealed by the CLI: the daemon never sees them in clear, nor the passphrase.
 */
export function storeAdminOps(source: BackupSource, audit: AuditRecorder): AdminOps {
  return {
    "store.backup": {
      summary: "write a consistent snapshot of the whole store to a new file",
      args: Type.Object(
        {
          path: Type.String({
            minLength: 2,
            maxLength: 4096,
            pattern: "^/",
            description: "absolute: the daemon's working directory is not the caller's",
          }),
          secrets: Type.Optional(SealedSecretsSchema),
        },
        { additionalProperties: false },
      ),
      run: async (args: { path: string; secrets?: SealedSecrets }, ctx) => {
        const written = await writeBackup(
          source.database,
          args.path,
          { site: source.site, gateway: source.gateway, vigilVersion: VERSION },
          args.secrets ?? null,
          source.macKey,
        );
        // Recorded after the snapshot, so not in this backup: the trail says a copy of it left the store.
        await audit.record({
          actor: ctx.actor,
          action: "store.backed_up",
          target: `file:${args.path}`,
          result: "ok",
          details: {
            entries: written.header.counts.entries,
            audit_head_seq: written.header.audit_head.seq,
            bytes: written.bytes,
            with_secrets: written.header.with_secrets,
          },
        });
        return written;
      },
    },
  };
}
