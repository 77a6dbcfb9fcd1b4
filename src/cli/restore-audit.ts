import { addAuditedStore } from "../compose/audited-store.js";
import type { VigilConfig } from "../config/schema.js";
import type { Secrets } from "../config/secrets.js";
import type { AuditInput } from "../contract/audit.js";
import { Lifecycle } from "../core/lifecycle.js";
import { createLogger } from "../core/logger.js";

/**
 * Appends one entry to a restored store's audit chain, linked on the restored head, and queues its
 * envelope for central like any other. Only the store, outbox and audit log are opened: nothing
 * else (the token key ring, sessions) is touched before the daemon starts on the restored data.
 */
export async function recordInRestoredChain(
  config: Readonly<VigilConfig>,
  secrets: Secrets,
  input: AuditInput,
): Promise<number> {
  const log = createLogger({ level: "silent" });
  const lifecycle = new Lifecycle(log);
  const { audit } = addAuditedStore(lifecycle, config, secrets, log);
  try {
    await lifecycle.start();
    return (await audit.record(input)).seq;
  } finally {
    await lifecycle.stop();
  }
}
