import type { Server as TlsServer } from "node:tls";
import { composeSync } from "./compose/sync.js";
import { composeVision } from "./compose/vision.js";
import { cameraPreview } from "./compose/detection-preview.js";
import { liveZones } from "./compose/zone-rules.js";
import { composeWatchlist } from "./compose/watchlist.js";
import { registerWatchlistCommands } from "./watchlist/watchlist-commands.js";
import { addKpiWeeklyStore, composeIncidents } from "./compose/incidents.js";
import { addStoreSpace } from "./compose/store-space.js";
import { composeClips } from "./compose/clips.js";
import { cameraEventFromAlert } from "./analytics/camera-event.js";
import type { CameraChanges } from "./ingest/camera-changes.js";
import type { CameraConfig, VigilConfig } from "./config/schema.js";
import { readStrongSecret, type Secrets, secretsSearchPath } from "./config/secrets.js";
import type { VigilEvents } from "./contract/events.js";
import { type GatewayTopics, gatewayTopics } from "./contract/topics.js";
import { ErrorCodes, VigilError } from "./core/errors.js";
import { EventBus } from "./core/event-bus.js";
import { Lifecycle } from "./core/lifecycle.js";
import type { Logger } from "./core/logger.js";
import { VERSION } from "./core/version.js";
import { healthDocument } from "./health/health-document.js";
import { supportBundleName, writeSupportBundle } from "./health/support-bundle.js";
import { type Notifier, SdNotifier } from "./health/sd-notify.js";
import { ReadyReporter } from "./health/sd-notify-ready.js";
import { Watchdog } from "./health/watchdog.js";
import { systemReasons } from "./health/system-sample.js";
import { SystemSampler } from "./health/system-sampler.js";
import { MemoryWatch } from "./health/memory-watch.js";
import { createMetrics } from "./health/metrics.js";
import { operatingStats } from "./health/operating-stats.js";
import { type Readiness, ReadinessRegistry } from "./health/readiness.js";
import { StatsReporter } from "./health/stats-reporter.js";
import { AdminSocket } from "./http/admin-socket.js";
import { HttpServer } from "./http/server.js";
import { cameraHttpOptions, type OperatorHttpParts, operatorHttpOptions } from "./compose/http.js";
import { registerApiKeyCommands } from "./auth/api-keys/api-key-commands.js";
import { CameraTrustStore } from "./auth/mtls/camera-trust-store.js";
import { CertExpiryMonitor, watchedFilesFrom } from "./auth/pki/cert-expiry-monitor.js";
import { certificateIdentifier } from "./auth/mtls/certificate-identifier.js";
import { buildAdminOps } from "./compose/admin.js";
import { composeAuth } from "./compose/auth.js";
import { registerIncidentCommands } from "./incidents/incident-commands.js";
import { EvidenceExporter } from "./incidents/evidence/exporter.js";
import { IncidentFeed } from "./incidents/incident-feed.js";
import { serviceEvidenceSource } from "./incidents/evidence/source.js";
import { CameraStatsTracker } from "./ingest/camera-stats-tracker.js";
import { registeredCameraView } from "./ingest/camera-registry-view.js";
import { addCameraRegistry, addLiveView } from "./compose/cameras.js";
import { findModel, readManifest } from "./inference/model-manifest.js";
import { Database } from "./store/database.js";
import { GroupCommit } from "./store/group-commit.js";
import { Outbox } from "./store/outbox.js";
import { backupMacKey } from "./store/backup-mac.js";

export interface Daemon {
  readonly lifecycle: Lifecycle;
  readonly http: HttpServer;
  readonly brokerUrls: readonly string[];
  readonly topics: GatewayTopics;
  readonly notifier: Notifier;
  readiness(): Readiness;
  /** Applies what of a reloaded config can change live (cameras); refuses a camera list the detector cannot take. */
  applyCameras(next: Readonly<VigilConfig>): Promise<CameraChanges>;
  stop(): Promise<void>;
}

/**
 * The composition root: the only place that knows every component (with compose/ for the sync
 * and vision halves). Constructors do no I/O; `lifecycle.start()` brings the parts up in the
 * order added here (store before its users, consumers before producers) and shutdown reverses it.
 */
export async function buildDaemon(
  config: Readonly<VigilConfig>,
  secrets: Secrets,
  log: Logger,
  env: NodeJS.ProcessEnv,
): Promise<Daemon> {
  const manifest = await readManifest(config.models_dir);
  const model = findModel(manifest, config.detector.model);
  const lifecycle = new Lifecycle(log.child({ component: "lifecycle" }));
  const notifier = new SdNotifier({ env, pid: process.pid, log: log.child({ component: "sd-notify" }) });
  // First in, so it stops last: pings continue while the rest shuts down within its deadline.
  const watchdog = lifecycle.add(
    new Watchdog({ env, pid: process.pid, notifier, log: log.child({ component: "watchdog" }) }),
  );
  const bus = new EventBus<VigilEvents>((event, err) => log.error({ err, event }, "event listener failed"));
  const readiness = new ReadinessRegistry();
  const topics = gatewayTopics(config.mqtt.topic_prefix, config.site, config.gateway);
  const startedAt = Date.now();

  // The metrics route is built before the registry it renders, which is filled in below.
  const metrics: { current?: ReturnType<typeof createMetrics> } = {};
  const metricsRoute =
    config.metrics.access === "off"
      ? undefined
      : {
          access: config.metrics.access,
          token:
            config.metrics.access === "token"
              ? await readStrongSecret(secretsSearchPath(config.secrets_dir, env), config.metrics.token_file)
              : undefined,
          render: async () => {
            const registry = metrics.current?.registry;
            if (!registry) throw new VigilError(ErrorCodes.SHUTTING_DOWN, "metrics are not available yet");
            return { contentType: registry.contentType, body: await registry.metrics() };
          },
        };
  const database = lifecycle.add(new Database(config.data_dir, log.child({ component: "store" })));
  const system = lifecycle.add(
    new SystemSampler(
      { dataDir: config.data_dir, storeDir: database.location, intervalMs: config.health.system_interval_s * 1000 },
      log.child({ component: "system" }),
    ),
  );
  const commits = lifecycle.add(new GroupCommit(database));
  const outbox = lifecycle.add(
    new Outbox(
      database,
      commits,
      { site: config.site, gateway: config.gateway },
      {
        maxBytes: config.outbox.max_bytes,
        auditMaxBytes: config.outbox.audit_max_bytes,
        policy: config.outbox.policy,
        ttlS: config.outbox.ttl_s,
      },
      log.child({ component: "outbox" }),
    ),
  );
  const space = addStoreSpace(lifecycle, config, { database, commits, outbox, log });
  const weekly = addKpiWeeklyStore(lifecycle, database, commits, log);
  const mem = config.health.memory;
  const memory = lifecycle.add(
    new MemoryWatch(
      {
        budgetBytes: mem.budget_mib * 2 ** 20,
        maxSlopeMiBPerMin: mem.max_slope_mib_per_min,
        sustainedMs: mem.sustained_s * 1000,
        windowMs: 3_600_000,
        intervalMs: mem.sample_s * 1000,
      },
      (type, data) => outbox.append("alerts", type, data),
      log.child({ component: "memory" }),
    ),
  );
  // Read only on request (health.request, /v1/health, vigil health, the retained health), by which
  // time every part below exists.
  const health = (): unknown =>
    healthDocument({
      version: VERSION,
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      readiness: readiness.evaluate(),
      cameras: vision.cameras.cameras.map((c) => {
        const supervisor = vision.cameras.supervisor(c.id);
        if (!supervisor) throw new Error(`no supervisor for camera ${c.id}`);
        return {
          id: c.id,
          enabled: c.enabled,
          stats: supervisor.stats,
          detection: vision.scheduler.stats(c.id),
          quality: cameraStats.statsFor(c.id),
          gate: vision.gate.stats(c.id),
          regions: vision.detector.regionStats(c.id),
        };
      }),
      ingest: vision.shedder ? { shedding: vision.shedder.state } : undefined,
      detector: {
        model: model.id,
        provider: vision.detector.provider ?? "none",
        stats: vision.detector.stats,
        msPerFrame: vision.detector.msPerFrame,
      },
      providers: [...vision.detector.providers(), ...faces.providers()],
      uplink: sync.uplink?.state,
      publisher: sync.publisher?.stats,
      outbox: outbox.stats,
      auditHead: sync.audit.head,
      security: [auth.security.degradedReason, ...certExpiry.reasons].filter((r): r is string => r !== undefined),
      certificates: certExpiry.certificates,
      system: system.last,
      systemReasons: [
        ...systemReasons(system.last, config.health.disk_low_percent),
        ...faces.reasons(),
        ...memory.reasons(),
        ...clips.ring.reasons(),
      ],
      memory: memory.report(),
    });
  const sync = composeSync(lifecycle, config, secrets, { database, commits, outbox, topics, health, log });
  const trust =
    config.http.camera_tls.listen === ""
      ? undefined
      : lifecycle.add(
          new CameraTrustStore({
            certsDir: config.certs_dir,
            tls: config.http.camera_tls,
            log: log.child({ component: "camera-trust" }),
          }),
        );
  const auth = composeAuth(lifecycle, config, secrets, {
    database,
    commits,
    audit: sync.audit,
    alert: (type, data) => outbox.append("alerts", type, data),
    cameras: () => vision.cameras.cameras,
    certificates: trust ? certificateIdentifier(() => vision.cameras.cameras, trust) : undefined,
    log,
  });
  if (sync.commands) registerApiKeyCommands(sync.commands, auth.keys);
  const faces = composeWatchlist(lifecycle, config, {
    manifest,
    database,
    commits,
    audit: sync.audit,
    emit: (fact) => bus.emit("faces", fact),
    onDeleted: (personId) => bus.emit("watchlist.deleted", { personId }),
    alert: (type, data) => outbox.append("alerts", type, data),
    env,
    log,
  });
  if (sync.commands) registerWatchlistCommands(sync.commands, faces.service);
  // Config cameras merged with those added at runtime; before the camera manager, which it fills.
  let provisioned = config.cameras;
  const cameraRegistry = addCameraRegistry(lifecycle, config, {
    database,
    commits,
    audit: sync.audit,
    keys: auth.keys,
    env,
    provisioned: () => provisioned,
    configRuleIds: () => new Set(config.rules.zones.map((r) => r.id)),
    apply: (cameras) => runCameras(cameras),
    log: log.child({ component: "camera-registry" }),
  });
  // Only the cameras that changed restart; a changed or removed camera's live viewers are let go.
  const runCameras = async (cameras: readonly CameraConfig[]): Promise<CameraChanges> => {
    const changes = await vision.cameras.apply(cameras);
    // Zones and rules follow the list; only a camera whose zones or rules changed starts its zone analysis over.
    const zones = liveZones(cameras, config.rules.zones, cameraRegistry);
    vision.rules.replaceZones(zones.zones, zones.rules);
    const restarted = [...changes.removed, ...changes.changed.map((c) => c.id)];
    await liveView.release(restarted);
    // A removed or re-configured camera starts over: no stale snapshot, motion background or cap.
    for (const id of restarted) {
      vision.gate.forget(id);
      vision.detector.forget(id);
      if (changes.removed.includes(id)) vision.snapshots.forget(id);
    }
    return changes;
  };
  // Each camera's config (without credentials), origin, probe, state and stats.
  const cameraViews = (): Array<{ id: string } & Record<string, unknown>> => {
    const live = (health() as { cameras: Record<string, Record<string, unknown>> }).cameras;
    return cameraRegistry.list().map((c) => ({ ...registeredCameraView(c), ...(live[c.camera.id] ?? {}) }));
  };
  const certExpiry = lifecycle.add(
    new CertExpiryMonitor({
      certsDir: config.certs_dir,
      thresholdDays: config.auth.alerts.cert_expiry_days,
      alert: (type, data) => outbox.append("alerts", type, data),
      files: watchedFilesFrom(config),
      log: log.child({ component: "cert-expiry" }),
    }),
  );
  const adminOps = buildAdminOps({
    auth,
    audit: sync.audit,
    health,
    store: { database, site: config.site, gateway: config.gateway, macKey: backupMacKey(secrets.audit_hmac_key) },
    checkpointKey: secrets.audit_checkpoint_key,
    watchlist: faces.service,
    cameras: { registry: cameraRegistry, views: cameraViews },
  });
  lifecycle.add(new AdminSocket(config.data_dir, () => adminOps, log.child({ component: "admin-socket" })));
  // After the stores it serves (a login during start-up must find the users loaded), before vision
  // (so probes answer while models load and cameras connect).
  const httpLog = log.child({ component: "http" });
  // Read when the servers start, by which time the vision half (push ingest) exists too.
  const httpParts = (): OperatorHttpParts => ({
    auth,
    audit: sync.audit,
    log: httpLog,
    probes: { readiness: () => readiness.evaluate(), version: VERSION, startedAt },
    health,
    metrics: metricsRoute,
    push: vision.push,
    snapshots: vision.snapshots,
    incidents,
    incidentSnapshots: snapshots,
    incidentClips: clips.store,
    feed,
    evidence,
    watchlist: faces.service,
    cameras: cameraViews,
    registry: cameraRegistry,
    detectPreview: cameraPreview({
      detector: vision.detector,
      cameras: () => vision.cameras.cameras,
      latest: (id) => vision.gate.latest(id),
      rules: () => liveZones(vision.cameras.cameras, config.rules.zones, cameraRegistry).rules,
    }),
    weekly,
    alert: async (type, data) => {
      const envelope = await outbox.append("alerts", type, data);
      // Pushed camera events also go to the rules (tamper), once they are safely queued for central.
      if (type === "camera.event") bus.emit("camera.event", cameraEventFromAlert(data));
      return envelope;
    },
    providers: () => [...vision.detector.providers(), ...faces.providers()],
    supportBundle: async (output) => (
      await writeSupportBundle(config, async () => health(), output),
      supportBundleName(config)
    ),
  });
  const http = lifecycle.add(
    new HttpServer(config.http.listen, () => operatorHttpOptions(config, httpParts()), httpLog, {
      allowPlainHttp: config.http.allow_plain_http,
      // Live view upgrades on the operator listener itself; an https.Server is an http.Server to `ws`.
      onListening: (app) => liveView.attach(app.server),
    }),
  );
  // Added after the listener, so it stops first: viewers are closed before the server goes.
  const liveView = addLiveView(lifecycle, config, {
    registry: cameraRegistry,
    auth,
    audit: sync.audit,
    env,
    log: log.child({ component: "live-view" }),
  });

  if (trust) {
    const cameraLog = log.child({ component: "camera-tls" });
    lifecycle.add(
      new HttpServer(
        config.http.camera_tls.listen,
        async () => cameraHttpOptions(config, { ...httpParts(), log: cameraLog }, trust),
        cameraLog,
        {
          name: "camera-tls",
          // An HTTPS app's server is a tls.Server; Fastify's types only know that when built with https.
          onListening: (app) => trust.attach(app.server as unknown as TlsServer),
        },
      ),
    );
  }
  const { incidents, snapshots } = composeIncidents(lifecycle, config, {
    database,
    commits,
    outbox,
    bus,
    audit: sync.audit,
    weekly,
    log,
  });
  incidents.spaceGuard = space;
  const feed = lifecycle.add(new IncidentFeed(bus));
  if (sync.commands) registerIncidentCommands(sync.commands, incidents);
  const clips = composeClips(lifecycle, config, {
    bus,
    incidents,
    audit: sync.audit,
    cameras: () => vision.cameras.cameras,
    relaunch: (which, reason) => vision.cameras.relaunch(which, reason),
    log,
  });
  const evidence = new EvidenceExporter(
    serviceEvidenceSource(incidents, sync.audit, snapshots, clips.store),
    sync.audit,
    secrets.audit_checkpoint_key,
    { site: config.site, gateway: config.gateway },
  );
  const vision = composeVision(lifecycle, config, {
    model,
    bus,
    incidents,
    outbox,
    env,
    log,
    snapshots,
    wrapDetector: faces.wrapDetector,
    recording: (id) => clips.ring.output(id),
  });

  const cameraStats = lifecycle.add(
    new CameraStatsTracker(() =>
      vision.cameras.cameras.map((c) => {
        const st = vision.cameras.supervisor(c.id)?.stats;
        const det = vision.scheduler.stats(c.id);
        const gate = vision.gate.stats(c.id);
        return {
          id: c.id,
          expectedFps: c.detect.fps,
          online: st?.state === "online",
          counters: {
            decoded: st?.framesDecoded ?? 0,
            analysed: det.analysed,
            skipped: det.skipped,
            motionGated: gate.motionGated,
            shed: gate.shed,
            restarts: st?.restarts ?? 0,
            stalls: st?.stalls ?? 0,
          },
        };
      }),
    ),
  );
  lifecycle.add(
    new StatsReporter(
      config.log.stats_interval_s * 1000,
      operatingStats({ ...vision, uplink: sync.uplink, publisher: sync.publisher }),
      log.child({ component: "stats" }),
    ),
  );

  const registry = createMetrics({
    ...vision,
    outbox,
    uplink: sync.uplink,
    publisher: sync.publisher,
    bus,
    model: model.id,
    authFailures: () => auth.security.failures,
    detectorLoaded: () => vision.detector.loaded,
    providers: () => [...vision.detector.providers(), ...faces.providers()],
  });
  metrics.current = registry;
  lifecycle.add({ name: "metrics", start: async () => {}, stop: async () => registry.stop() });

  readiness.add("store", () => (database.isOpen ? space.problem() : "store is not open"));
  readiness.add("incidents", () => incidents.index.notReady());
  readiness.add("kpis", () => weekly.notReady());
  readiness.add("model", () => (vision.detector.loaded ? undefined : `model ${model.id} is not loaded`));
  readiness.add("cameras", () => {
    const waiting = vision.cameras.notYetStarted();
    return waiting.length === 0 ? undefined : `cameras not started yet: ${waiting.join(", ")}`;
  });

  // A restart mends a hung store or inference loop, not a camera or broker that is down: only the
  // daemon's own loops feed the watchdog.
  watchdog.register("store", () => commits.settledBatches, { busy: () => commits.busy });
  // A store failed by a full volume does not ping until it writes again (StoreSpace reopens it).
  watchdog.register("store-space", () => space.recoveries, { busy: () => space.cannotWrite });
  watchdog.register("inference", () => vision.scheduler.completed, { busy: () => vision.scheduler.working });
  lifecycle.add(
    new ReadyReporter({
      evaluate: () => readiness.evaluate(),
      notifier,
      log: log.child({ component: "sd-ready" }),
      readyStatus: () => `ready: ${vision.cameras.cameras.filter((c) => c.enabled).length} camera(s)`,
      // A camera down at boot must not keep the unit "activating" until systemd kills it.
      degradedAfter: { ms: 120_000, checks: ["cameras"] },
    }),
  );

  const applyCameras = async (next: Readonly<VigilConfig>): Promise<CameraChanges> => {
    provisioned = next.cameras;
    return cameraRegistry.reapply(runCameras);
  };
  return {
    lifecycle,
    http,
    brokerUrls: sync.brokerUrls,
    topics,
    notifier,
    readiness: () => readiness.evaluate(),
    applyCameras,
    stop: () => lifecycle.stop(),
  };
}
