import { buildAdminOps } from "../compose/admin.js";
import { addAuditedStore } from "../compose/audited-store.js";
import { composeAuth } from "../compose/auth.js";
import { addCameraRegistry } from "../compose/cameras.js";
import type { CameraConfig, VigilConfig } from "../config/schema.js";
import { loadSecrets } from "../config/secrets.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { Lifecycle } from "../core/lifecycle.js";
import { createLogger } from "../core/logger.js";
import type { OfflineAdmin } from "./admin-client.js";
import { backupMacKey } from "../store/backup-mac.js";

/**
 * The store and audit chain opened by the CLI itself, for admin ops while no daemon runs. What it
 * audits is queued in the outbox like the daemon's own entries and reaches central on next start.
 */
export const openOfflineAdmin: OfflineAdmin = async (config: Readonly<VigilConfig>) => {
  const log = createLogger({ level: "silent" });
  const secrets = await loadSecrets(config.secrets_dir, process.env);
  const lifecycle = new Lifecycle(log);
  const { database, commits, outbox, audit } = addAuditedStore(lifecycle, config, secrets, log);
  // Keys may be made for cameras added at runtime too; the registry exists by the time one is.
  const cameras = (): CameraConfig[] => registry.list().map((c) => c.camera);
  const auth = composeAuth(lifecycle, config, secrets, {
    database,
    commits,
    audit,
    alert: (type, data) => outbox.append("alerts", type, data),
    cameras,
    log,
  });
  // Offline, a camera change is only stored: the daemon's next start runs it.
  const registry = addCameraRegistry(lifecycle, config, {
    database,
    commits,
    audit,
    keys: auth.keys,
    env: process.env,
    provisioned: () => config.cameras,
    apply: async () => undefined,
    log,
  });
  const ops = buildAdminOps({
    auth,
    audit,
    store: { database, site: config.site, gateway: config.gateway, macKey: backupMacKey(secrets.audit_hmac_key) },
    checkpointKey: secrets.audit_checkpoint_key,
    cameras: { registry },
  });
  try {
    await lifecycle.start();
  } catch (err) {
    await lifecycle.stop();
    if (isVigilError(err, ErrorCodes.STORE_LOCKED)) {
      throw new VigilError(
        ErrorCodes.DAEMON_UNREACHABLE,
        `the store at ${database.location} is held by a daemon whose admin socket does not answer (still starting, or hung); try again, or stop it`,
        { cause: err },
      );
    }
    throw err;
  }
  return { ops, close: () => lifecycle.stop() };
};
