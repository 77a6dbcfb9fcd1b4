import { AuditLog } from "../audit/audit-log.js";
import { auditKeyFromSecret } from "../audit/chain.js";
import type { VigilConfig } from "../config/schema.js";
import type { Secrets } from "../config/secrets.js";
import type { AuditInput } from "../contract/audit.js";
import { Lifecycle } from "../core/lifecycle.js";
import { createLogger } from "../core/logger.js";
import { Database } from "../store/database.js";
import { GroupCommit } from "../store/group-commit.js";
import { Outbox } from "../sync/outbox.js";

/**
 * Appends one entry to a restored store's audit chain, linked on the restored head, and queues its
 * envelope for central like any other. Only the store, outbox and audit log are opened: nothing
 * else (the token key ring, sessions) is touched before the daemon starts on the restored data.
 */
export async function recordInRestoredChain(config: Readonly<VigilConfig>, secrets: Secrets, input: AuditInput): Promise<number> {
  const log = createLogger({ level: "silent" });
  const identity = { site: config.site, gateway: config.gateway };
  const lifecycle = new Lifecycle(log);
  const database = lifecycle.add(new Database(config.data_dir, log, { attempts: 4, delayMs: 250 }));
  const commits = lifecycle.add(new GroupCommit(database));
  const outbox = lifecycle.add(
    new Outbox(database, commits, identity, { maxBytes: config.outbox.max_bytes, policy: config.outbox.policy, ttlS: config.outbox.ttl_s }, log),
  );
  const audit = lifecycle.add(new AuditLog(database, outbox, auditKeyFromSecret(secrets.audit_hmac_key), identity, { anonymiseSources: config.audit.anonymise_sources }, log));
  try {
    await lifecycle.start();
    return (await audit.record(input)).seq;
  } finally {
    await lifecycle.stop();
  }
}
