import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkpointPublicJwk, generateCheckpointKeyPem } from "../../src/audit/checkpoint.js";
import { composeSync, type SyncParts } from "../../src/compose/sync.js";
import { buildConfig } from "../../src/config/loader.js";
import type { Secrets } from "../../src/config/secrets.js";
import { gatewayTopics } from "../../src/contract/topics.js";
import { Lifecycle } from "../../src/core/lifecycle.js";
import type { Logger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";
import { Outbox } from "../../src/store/outbox.js";
import { silentLogger } from "./uplink-stack.js";

/**
 * One gateway's sync side as the daemon composes it (src/compose/sync.ts): its own LevelDB, outbox,
 * audit chain with signed checkpoints, uplink, publisher, health publisher and command channel,
 * configured through the daemon's own config loader. Secrets are made once per data dir and kept
 * there, so a gateway restarted on the same dir (after a kill -9) is the same gateway.
 */

export interface FleetGatewayOptions {
  readonly dataDir: string;
  readonly site: string;
  readonly gateway: string;
  readonly brokers: readonly string[];
  /** central's public key (PEM); commands are accepted only when given. */
  readonly commandKeyFile?: string;
  readonly checkpointIntervalS?: number;
  readonly log?: Logger;
}

export interface FleetGateway {
  readonly site: string;
  readonly gateway: string;
  readonly outbox: Outbox;
  readonly sync: SyncParts;
  readonly publicJwk: ReturnType<typeof checkpointPublicJwk>;
  stop(): Promise<void>;
}

async function gatewaySecrets(dataDir: string): Promise<Secrets> {
  const file = join(dataDir, "test-secrets.json");
  try {
    return JSON.parse(await readFile(file, "utf8")) as Secrets;
  } catch {
    const secrets: Secrets = {
      token_signing_key: randomBytes(32).toString("hex"),
      audit_hmac_key: randomBytes(32).toString("hex"),
      audit_checkpoint_key: generateCheckpointKeyPem(),
    };
    await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
    return secrets;
  }
}

export async function startFleetGateway(opts: FleetGatewayOptions): Promise<FleetGateway> {
  await mkdir(opts.dataDir, { recursive: true });
  const secrets = await gatewaySecrets(opts.dataDir);
  const config = buildConfig(
    {
      site: opts.site,
      gateway: opts.gateway,
      data_dir: opts.dataDir,
      secrets_dir: opts.dataDir,
      mqtt: { brokers: [...opts.brokers], client_id: `vigil-${opts.site}-${opts.gateway}`, failback_probe_s: 5 },
      audit: { checkpoint_interval_s: opts.checkpointIntervalS ?? 5 },
      ...(opts.commandKeyFile ? { commands: { key_file: opts.commandKeyFile } } : {}),
    },
    {},
    opts.dataDir,
  );
  const log = opts.log ?? silentLogger();
  const lifecycle = new Lifecycle(log);
  const database = lifecycle.add(new Database(config.data_dir, log));
  const commits = lifecycle.add(new GroupCommit(database));
  const identity = { site: config.site, gateway: config.gateway };
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
  const topics = gatewayTopics(config.mqtt.topic_prefix, config.site, config.gateway);
  const sync = composeSync(lifecycle, config, secrets, {
    database,
    commits,
    outbox,
    topics,
    health: () => ({ status: "ok" }),
    log,
  });
  await lifecycle.start();
  return {
    site: opts.site,
    gateway: opts.gateway,
    outbox,
    sync,
    publicJwk: checkpointPublicJwk(secrets.audit_checkpoint_key),
    stop: () => lifecycle.stop(),
  };
}
