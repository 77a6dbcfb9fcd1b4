import { AuditLog } from "../audit/audit-log.js";
import { auditKeyFromSecret } from "../audit/chain.js";
import { buildAdminOps } from "../compose/admin.js";
import { composeAuth } from "../compose/auth.js";
import type { VigilConfig } from "../config/schema.js";
import { loadSecrets } from "../config/secrets.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { Lifecycle } from "../core/lifecycle.js";
import { createLogger } from "../core/logger.js";
import { Database } from "../store/database.js";
import { GroupCommit } from "../store/group-commit.js";
import { Outbox } from "../sync/outbox.js";
import type { OfflineAdmin } from "./admin-client.js";

/**
 * The store and audit chain opened by the CLI itself, for admin ops while no daemon runs. What it
 * audits is queued in the outbox like the daemon's own entries and reaches central on next start.
 */
export const openOfflineAdmin: OfflineAdmin = async (config: Readonly<VigilConfig>) => {
  const log = createLogger({ level: "silent" });
  const secrets = await loadSecrets(config.secrets_dir, process.env);
  const identity = { site: config.site, gateway: config.gateway };
  const lifecycle = new Lifecycle(log);
  const database = lifecycle.add(new Database(config.data_dir, log, { attempts: 4, delayMs: 250 }));
  const commits = lifecycle.add(new GroupCommit(database));
  const outbox = lifecycle.add(
    new Outbox(database, commits, identity, { maxBytes: config.outbox.max_bytes, policy: config.outbox.policy, ttlS: config.outbox.ttl_s }, log),
  );
  const audit = lifecycle.add(new AuditLog(database, outbox, auditKeyFromSecret(secrets.audit_hmac_key), identity, { anonymiseSources: config.audit.anonymise_sources }, log));
  const auth = composeAuth(lifecycle, config, secrets, { database, commits, audit, alert: (type, data) => outbox.append("alerts", type, data), log });
  const ops = buildAdminOps({ auth, audit, store: { database, ...identity }, checkpointKey: secrets.audit_checkpoint_key });
  try {
    await lifecycle.start();
  } catch (err) {
    await lifecycle.stop();
    if (isVigilError(err, ErrorCodes.STORE_LOCKED)) {
      throw new VigilError(ErrorCodes.DAEMON_UNREACHABLE, `the store at ${database.location} is held by a daemon whose admin socket does not answer (still starting, or hung); try again, or stop it`, { cause: err });
    }
    throw err;
  }
  return { ops, close: () => lifecycle.stop() };
};
