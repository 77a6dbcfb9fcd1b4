import { AuditLog } from "../audit/audit-log.js";
import { auditKeyFromSecret } from "../audit/chain.js";
import type { VigilConfig } from "../config/schema.js";
import type { Secrets } from "../config/secrets.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { Database } from "../store/database.js";
import { GroupCommit } from "../store/group-commit.js";
import { Outbox } from "../store/outbox.js";

export interface AuditedStore {
  readonly database: Database;
  readonly commits: GroupCommit;
  readonly outbox: Outbox;
  readonly audit: AuditLog;
}

/**
 * The store with its outbox and audit chain, for CLI verbs that work without the daemon: what
 * they audit is queued for central like the daemon's own entries and leaves on its next start.
 */
export function addAuditedStore(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  secrets: Secrets,
  log: Logger,
): AuditedStore {
  const identity = { site: config.site, gateway: config.gateway };
  const database = lifecycle.add(new Database(config.data_dir, log, { attempts: 4, delayMs: 250 }));
  const commits = lifecycle.add(new GroupCommit(database));
  const outbox = lifecycle.add(
    new Outbox(
      database,
      commits,
      identity,
      {
        maxBytes: config.outbox.max_bytes,
        auditMaxBytes: config.outbox.audit_max_bytes,
        policy: config.outbox.policy,
        ttlS: config.outbox.ttl_s,
      },
      log,
    ),
  );
  const audit = lifecycle.add(
    new AuditLog(
      database,
      outbox,
      auditKeyFromSecret(secrets.audit_hmac_key),
      identity,
      { anonymiseSources: config.audit.anonymise_sources },
      log,
    ),
  );
  return { database, commits, outbox, audit };
}
