import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { AuditLog } from "../../src/audit/audit-log.js";
import { auditKeyFromSecret } from "../../src/audit/chain.js";
import { type AuthParts, composeAuth } from "../../src/compose/auth.js";
import { type OperatorHttpParts, operatorHttpOptions } from "../../src/compose/http.js";
import type { Frame } from "../../src/contract/detection.js";
import { addCameraRegistry } from "../../src/compose/cameras.js";
import type { CameraRegistry } from "../../src/ingest/camera-registry.js";
import { registeredCameraView } from "../../src/ingest/camera-registry-view.js";
import { PushIngest } from "../../src/ingest/push-ingest.js";
import type { ProviderStatus } from "../../src/inference/providers/provider-chain.js";
import type { SnapshotCache } from "../../src/ingest/snapshot-cache.js";
import type { VigilEvents } from "../../src/contract/events.js";
import { EventBus } from "../../src/core/event-bus.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { KpiRollupStore } from "../../src/incidents/kpi-rollup-store.js";
import { buildConfig } from "../../src/config/loader.js";
import type { VigilConfig } from "../../src/config/schema.js";
import type { Secrets } from "../../src/config/secrets.js";
import type { AuditEntry } from "../../src/contract/audit.js";
import { Lifecycle } from "../../src/core/lifecycle.js";
import type { Sublevel } from "../../src/store/database.js";
import { buildHttpApp, type RouteModule } from "../../src/http/server.js";
import { openStoreStack, type StoreStack, TEST_IDENTITY } from "./store-stack.js";
import { silentLogger } from "./uplink-stack.js";

/** A box's secrets, random per test run (never committed, never reused). */
export function testSecrets(): Secrets {
  return {
    token_signing_key: randomBytes(32).toString("base64url"),
    audit_hmac_key: randomBytes(32).toString("base64url"),
    audit_checkpoint_key: "unused-in-these-tests",
  };
}

export interface AuthStack {
  readonly app: FastifyInstance;
  readonly auth: AuthParts;
  readonly audit: AuditLog;
  readonly incidents: IncidentService;
  readonly store: StoreStack;
  readonly config: Readonly<VigilConfig>;
  /** The camera registry as the CLI composes it offline (real ffprobe; a change is only stored), when asked for. */
  readonly registry: CameraRegistry | undefined;
  /** The KPI day rollups behind the summary and weekly routes, when asked for (`rollups: true`). */
  readonly rollups: KpiRollupStore | undefined;
  auditEntries(): Promise<AuditEntry[]>;
  /** The operator-facing sublevels, to show that a refused request changed nothing. */
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The operator API as the daemon composes it (store, audit chain, auth, routes, limits), on a
 * real LevelDB in `dataDir`, served through `inject()`. Argon2 runs at the OWASP minimum so a
 * test can afford dozens of logins; everything else is the default config.
 */
export async function openAuthStack(
  dataDir: string,
  opts: {
    config?: Record<string, unknown>;
    secrets?: Secrets;
    before?: RouteModule[];
    onFrame?: (frame: Frame) => void;
    providers?: () => readonly ProviderStatus[];
    snapshots?: SnapshotCache;
    /** Add `POST/PATCH/DELETE /v1/cameras` on a real registry (secrets_dir from the config). */
    cameraRegistry?: boolean;
    /** Serve the KPI summary and weekly figures from real day rollups, as the daemon does. */
    rollups?: boolean;
    /** The incident service's clock (decision times). */
    now?: () => number;
  } = {},
): Promise<AuthStack> {
  const log = silentLogger();
  const config = buildConfig(
    { ...TEST_IDENTITY, data_dir: dataDir, auth: { argon2: { memory_kib: 19_456, time_cost: 2 } }, ...opts.config },
    {},
    dataDir,
  );
  const secrets = opts.secrets ?? testSecrets();
  const store = await openStoreStack(dataDir);
  const lifecycle = new Lifecycle(log);
  const audit = lifecycle.add(
    new AuditLog(
      store.db,
      store.outbox,
      auditKeyFromSecret(secrets.audit_hmac_key),
      TEST_IDENTITY,
      { anonymiseSources: false },
      log,
    ),
  );
  const auth = composeAuth(lifecycle, config, secrets, {
    database: store.db,
    commits: store.commits,
    audit,
    alert: (t, d) => store.outbox.append("alerts", t, d),
    log,
  });
  const registry = opts.cameraRegistry
    ? addCameraRegistry(lifecycle, config, {
        database: store.db,
        commits: store.commits,
        audit,
        keys: auth.keys,
        env: {},
        provisioned: () => config.cameras,
        apply: async () => undefined,
        log,
      })
    : undefined;
  const rollups = opts.rollups ? lifecycle.add(new KpiRollupStore(store.db, log)) : undefined;
  await lifecycle.start();
  const startedAt = Date.now();
  const incidents = new IncidentService(
    store.db,
    store.outbox,
    new EventBus<VigilEvents>(() => {}),
    log,
    audit,
    undefined,
    opts.now,
    rollups,
  );
  const parts: OperatorHttpParts = {
    auth,
    audit,
    log,
    probes: { readiness: () => ({ ready: true, reasons: [] }), version: "test", startedAt },
    // The daemon's document needs cameras and a detector; these tests are about who may read it.
    health: () => ({ status: "ok", version: "test", audit_head: audit.head }),
    push: new PushIngest(() => ({ maxWidth: 256, maxHeight: 256 }), opts.onFrame ?? (() => {}), log, opts.snapshots),
    snapshots: opts.snapshots,
    incidents,
    weekly: rollups,
    cameras: () =>
      registry
        ? registry.list().map((c) => ({ ...registeredCameraView(c), state: "not running" }))
        : config.cameras.map((c) => ({ id: c.id, enabled: c.enabled })),
    registry,
    alert: (type, data) => store.outbox.append("alerts", type, data),
    before: opts.before,
    providers: opts.providers,
  };
  const app = await buildHttpApp(await operatorHttpOptions(config, parts), log);
  const dump = async (sub: Sublevel): Promise<unknown> => sub.iterator().all();
  return {
    app,
    auth,
    audit,
    incidents,
    store,
    config,
    registry,
    rollups,
    auditEntries: async () => (await store.db.sublevels.audit.values().all()) as AuditEntry[],
    snapshot: async () => {
      const s = store.db.sublevels;
      return JSON.stringify(
        await Promise.all([s.users, s.sessions, s.revoked, s.lockout, s.keyring, s.api_keys, s.incidents].map(dump)),
      );
    },
    close: async () => {
      await app.close();
      await lifecycle.stop();
      await store.close();
    },
  };
}
