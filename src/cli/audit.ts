import { auditKeyFromSecret, genesisMac, type VerifyResult } from "../audit/chain.js";
import { readAuditHead, verifyAuditStore } from "../audit/audit-log.js";
import { checkpointPublicJwk } from "../audit/checkpoint.js";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { loadSecrets, readSecretFile, secretsSearchPath } from "../config/secrets.js";
import { ErrorCodes, ExitCodes, isVigilError, VigilError } from "../core/errors.js";
import { createLogger } from "../core/logger.js";
import { Database } from "../store/database.js";
import { emit, fail, progress } from "./output.js";

/** The Ed25519 private key (PEM) that signs checkpoints; `vigil init` generates it. */
export const CHECKPOINT_SECRET = "audit_checkpoint_key";

export interface AuditCliOptions {
  config?: string;
  json?: boolean;
  /** `verify`: start after the last verified point instead of at seq 1. */
  fromCheckpoint?: boolean;
}

async function openStore(dataDir: string): Promise<Database> {
  // A short wait covers a daemon that is just exiting; a running one holds the lock for good.
  const database = new Database(dataDir, createLogger({ level: "silent" }), { attempts: 4, delayMs: 250 });
  try {
    await database.start();
  } catch (err) {
    if (!isVigilError(err, ErrorCodes.STORE_LOCKED)) throw err;
    throw new VigilError(
      ErrorCodes.STORE_LOCKED,
      `the store at ${database.location} is in use by the running daemon: stop it (systemctl stop vigil), run "vigil audit verify" again, then start it`,
      { cause: err },
    );
  }
  return database;
}

function describe(result: VerifyResult): string {
  if (result.ok)
    return `ok: ${result.checked} entries${result.fromSeq === undefined ? "" : ` after the checkpoint at seq ${result.fromSeq}`}, head seq ${result.lastSeq}`;
  const bad = result.firstBad;
  return `broken at seq ${bad?.seq ?? "?"}: ${bad?.reason ?? "unknown"} (${result.checked} entries before it verify)`;
}

/** `vigil audit verify`: walks the whole local chain; exit 0 when intact, 1 at the first break. */
export async function auditVerify(opts: AuditCliOptions): Promise<void> {
  const json = opts.json === true;
  try {
    const config = await loadConfig(configPathFrom(opts.config, process.env));
    const secrets = await loadSecrets(config.secrets_dir, process.env);
    const key = auditKeyFromSecret(secrets.audit_hmac_key);
    const genesis = genesisMac(key, config.site, config.gateway);
    const database = await openStore(config.data_dir);
    let result: VerifyResult;
    try {
      const audit = database.sublevels.audit;
      // The head's seq is the entry count of an intact chain: a total for the counter.
      const total = (await readAuditHead(audit, genesis)).seq;
      const show = json ? () => {} : progress("verifying audit chain");
      let shown = false;
      result = await verifyAuditStore(
        audit,
        key,
        genesis,
        (checked) => {
          shown = true;
          show(checked, Math.max(total, checked));
        },
        { meta: database.sublevels.meta, fromCheckpoint: opts.fromCheckpoint === true },
      );
      // The counter ends its line only on reaching the total; a break stops it short of that.
      if (shown && !result.ok && !json && process.stderr.isTTY) process.stderr.write("\n");
    } finally {
      await database.stop();
    }
    emit(json, result, () => describe(result));
    if (!result.ok) process.exitCode = ExitCodes.FAILURE;
  } catch (err) {
    fail(err, json);
  }
}

/** `vigil audit pubkey`: the checkpoint public JWK to hand to the central server. */
export async function auditPubkey(opts: AuditCliOptions): Promise<void> {
  const json = opts.json === true;
  try {
    const config = await loadConfig(configPathFrom(opts.config, process.env));
    const pem = await readSecretFile(secretsSearchPath(config.secrets_dir, process.env), CHECKPOINT_SECRET);
    const jwk = checkpointPublicJwk(pem);
    emit(json, jwk, () => JSON.stringify(jwk));
  } catch (err) {
    fail(err, json);
  }
}
