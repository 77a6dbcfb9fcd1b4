import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { ServerOptions as HttpsOptions } from "node:https";
import type { VigilConfig } from "../config/schema.js";
import type { AuditRecorder } from "../contract/audit.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { OnLimited, RateLimitSettings } from "../http/rate-limits.js";
import { registerAuthRoutes } from "../http/routes/auth.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { SecurityMonitor } from "../auth/security-monitor.js";
import type { CameraTrustStore } from "../auth/mtls/camera-trust-store.js";
import type { PushIngest } from "../ingest/push-ingest.js";
import { registerAuditRoutes } from "../http/routes/audit.js";
import { registerCameraKeyRoutes } from "../http/routes/camera-keys.js";
import { registerCameraSnapshotRoute } from "../http/routes/camera-snapshot.js";
import type { LatestFrames } from "../ingest/snapshot-cache.js";
import { type CameraView, registerCameraRoutes } from "../http/routes/cameras.js";
import { registerLiveTicketRoute } from "../http/routes/live-ticket.js";
import { registerCameraAdminRoutes } from "../http/routes/camera-admin.js";
import { registerCameraDetectRoute } from "../http/routes/camera-detect.js";
import { registerCameraProbeRoute } from "../http/routes/camera-probe.js";
import { registerCameraRuleRoutes } from "../http/routes/camera-rules.js";
import type { CameraRegistry } from "../ingest/camera-registry.js";
import { type HealthRouteDeps, registerHealthDocumentRoute, registerHealthRoutes } from "../http/routes/health.js";
import { registerEvidenceRoutes } from "../http/routes/evidence.js";
import { registerIncidentRoutes } from "../http/routes/incidents.js";
import type { EvidenceExporter } from "../incidents/evidence/exporter.js";
import { registerIngestRoutes } from "../http/routes/ingest.js";
import { registerKpiWeeklyRoutes } from "../http/routes/kpi-weekly.js";
import type { KpiRollupStore } from "../incidents/kpi-rollup-store.js";
import type { IncidentService } from "../incidents/incident-service.js";
import { type MetricsRouteDeps, registerMetricsRoute } from "../http/routes/metrics.js";
import { registerUserRoutes } from "../http/routes/users.js";
import { registerWatchlistRoutes } from "../http/routes/watchlist.js";
import { registerSupportBundleRoute } from "../http/routes/support-bundle.js";
import type { WatchlistService } from "../watchlist/watchlist-service.js";
import { registerProviderRoutes } from "../http/routes/providers.js";
import type { ProviderStatus } from "../inference/providers/provider-chain.js";
import { type HttpAppOptions, MODERN_TLS, type RouteModule } from "../http/server.js";
import { BUILT_CONSOLE_DIR } from "../http/console/console-routes.js";
import { type ConsoleSettings, registerConsoleSettingsRoute } from "../http/routes/console-settings.js";
import { registerEventsRoute } from "../http/routes/events.js";
import { registerIncidentSnapshotRoute } from "../http/routes/incident-snapshots.js";
import { registerIncidentClipRoute } from "../http/routes/incident-clips.js";
import type { ClipStore } from "../incidents/clips/clip-store.js";
import type { IncidentFeed } from "../incidents/incident-feed.js";
import type { SnapshotStore } from "../incidents/snapshot-store.js";
import type { AuthParts } from "./auth.js";

export function rateLimitSettings(config: Readonly<VigilConfig>): RateLimitSettings {
  const r = config.auth.rate_limit;
  return {
    perIpPerMinute: r.per_ip_per_minute,
    perUserPerMinute: r.per_user_per_minute,
    loginPerIpPerMinute: r.login_per_ip_per_minute,
    loginPerUserPerMinute: r.login_per_user_per_minute,
  };
}

/** A rate-limit hit is a security event: one audit entry per key and window, not one per request. */
export function auditRateLimit(audit: AuditRecorder, log: Logger, security?: SecurityMonitor): OnLimited {
  return (request, limiter, key) => {
    security?.noteFailure("rate_limited");
    audit
      .record({
        actor: request.principal?.kind === "user" ? request.principal.username : "unknown",
        source: request.ip,
        action: "auth.rate_limited",
        target: `limit:${limiter}`,
        result: "denied",
        details: { key, route: request.routeOptions.url ?? request.url },
      })
      .catch((err: unknown) => log.warn({ err }, "rate-limit audit entry failed"));
  };
}

export function certPath(config: Readonly<VigilConfig>, file: string): string {
  return isAbsolute(file) ? file : join(config.certs_dir, file);
}

/** HTTPS for the operator API from `http.tls`, read at start (a bad path is a config error, exit 78). */
export async function operatorTls(config: Readonly<VigilConfig>): Promise<HttpsOptions | undefined> {
  const tls = config.http.tls;
  if (!tls) return undefined;
  const read = async (file: string, key: string): Promise<Buffer> => {
    try {
      return await readFile(certPath(config, file));
    } catch (err) {
      throw new VigilError(ErrorCodes.CONFIG_INVALID, `http.tls.${key}: cannot read ${certPath(config, file)}`, {
        cause: err,
        details: { path: `/http/tls/${key}` },
      });
    }
  };
  return { ...MODERN_TLS, cert: await read(tls.cert, "cert"), key: await read(tls.key, "key") };
}

export interface OperatorHttpParts {
  readonly auth: AuthParts;
  readonly audit: AuditLog;
  readonly log: Logger;
  readonly probes: HealthRouteDeps;
  /** The full health document behind `GET /v1/health`. */
  readonly health: () => unknown;
  readonly metrics?: MetricsRouteDeps | undefined;
  readonly push: PushIngest;
  readonly incidents: IncidentService;
  /** KPI day rollups (`GET /v1/metrics/summary`, `GET /v1/metrics/weekly`). */
  readonly weekly?: KpiRollupStore | undefined;
  /** Signed evidence packs of incidents (`POST /v1/incidents/:id/export`). */
  readonly evidence?: EvidenceExporter | undefined;
  /** Each camera's config (without credentials), state and stats. */
  readonly cameras: () => CameraView[];
  /** Cameras added, changed and removed at runtime (`POST/PATCH/DELETE /v1/cameras`); absent: read-only. */
  readonly registry?: CameraRegistry | undefined;
  /** `POST /v1/cameras/:id/detect`: the detection preview. */
  readonly detectPreview?: ((cameraId: string, jpeg: Buffer | undefined) => Promise<unknown>) | undefined;
  /** The latest JPEG per camera (`GET /v1/cameras/:id/snapshot.jpg`). */
  readonly snapshots?: LatestFrames | undefined;
  readonly alert: (type: string, data: Record<string, unknown>) => Promise<{ id: string; seq: number }>;
  /** The watchlist (`/v1/watchlist`); absent in compositions without one. */
  readonly watchlist?: WatchlistService | undefined;
  /** The detector's inference providers and their health (`GET /v1/providers`). */
  readonly providers?: (() => readonly ProviderStatus[]) | undefined;
  /** Live incident changes for `GET /v1/events`; absent: no live stream. */
  readonly feed?: IncidentFeed | undefined;
  /** Incidents' scene JPEGs (`GET /v1/incidents/:id/snapshots/:n`). */
  readonly incidentSnapshots?: SnapshotStore | undefined;
  /** Incidents' clips (`GET /v1/incidents/:id/clips/:n`). */
  readonly incidentClips?: ClipStore | undefined;
  /** `POST /v1/diagnose`: writes the support bundle to a file; answers the name to offer. */
  readonly supportBundle?: ((output: string) => Promise<string>) | undefined;
  /** Where the built console is; default dist/console. */
  readonly consoleDir?: string | undefined;
  /** Registered first: tests use it to watch the route table being built. */
  readonly before?: readonly RouteModule[] | undefined;
}

/** The operator API, every route of it, with the configured limits and TLS. */
export async function operatorHttpOptions(
  config: Readonly<VigilConfig>,
  parts: OperatorHttpParts,
): Promise<HttpAppOptions> {
  const { auth } = parts;
  return {
    authenticator: {
      user: (request, needed) => auth.authenticator.authenticate(request, needed),
      camera: (request, reply, cameraId, scope) =>
        auth.cameraAuthenticator.authenticate(request, reply, cameraId, scope),
    },
    bodyLimit: config.http.body_limit_bytes,
    https: await operatorTls(config),
    openapi: true,
    consoleDir: config.http.console ? (parts.consoleDir ?? BUILT_CONSOLE_DIR) : undefined,
    limits: {
      settings: rateLimitSettings(config),
      onLimited: auditRateLimit(parts.audit, parts.log, parts.auth.security),
    },
    routes: [
      ...(parts.before ?? []),
      (app) =>
        registerHealthRoutes(app, {
          ...parts.probes,
          signedIn: (request) =>
            auth.authenticator.authenticate(request, "viewer").then(
              () => true,
              () => false,
            ),
        }),
      (app) => (parts.metrics ? registerMetricsRoute(app, parts.metrics) : undefined),
      (app) => registerHealthDocumentRoute(app, parts.health),
      (app) => registerProviderRoutes(app, { providers: parts.providers ?? (() => []) }),
      (app) =>
        registerAuthRoutes(app, {
          auth: auth.auth,
          users: auth.users,
          cookie: { maxAgeS: config.auth.refresh_ttl_s, secure: config.http.tls !== undefined },
        }),
      (app) => registerConsoleSettingsRoute(app, consoleSettings(config)),
      (app) =>
        parts.feed ? registerEventsRoute(app, { feed: parts.feed, onSessionsEnded: auth.onSessionsEnded }) : undefined,
      (app) =>
        parts.incidentSnapshots
          ? registerIncidentSnapshotRoute(app, { incidents: parts.incidents, snapshots: parts.incidentSnapshots })
          : undefined,
      (app) =>
        parts.incidentClips
          ? registerIncidentClipRoute(app, { incidents: parts.incidents, clips: parts.incidentClips })
          : undefined,
      (app) => registerUserRoutes(app, { users: auth.users, auth: auth.auth }),
      (app) => registerCameraKeyRoutes(app, { keys: auth.keys }),
      (app) => registerAuditRoutes(app, { audit: parts.audit }),
      (app) => registerIncidentRoutes(app, { incidents: parts.incidents, kpis: parts.weekly }),
      (app) => registerCameraRoutes(app, { cameras: parts.cameras }),
      (app) =>
        registerLiveTicketRoute(app, {
          tickets: auth.liveTickets,
          cameraExists: (id) => parts.cameras().some((c) => c.id === id),
        }),
      (app) =>
        parts.registry
          ? registerCameraAdminRoutes(app, { registry: parts.registry, cameras: parts.cameras })
          : undefined,
      (app) => (parts.registry ? registerCameraProbeRoute(app, { registry: parts.registry }) : undefined),
      (app) =>
        parts.registry
          ? registerCameraRuleRoutes(app, { registry: parts.registry, configRules: () => config.rules.zones })
          : undefined,
      (app) => (parts.detectPreview ? registerCameraDetectRoute(app, { preview: parts.detectPreview }) : undefined),
      (app) =>
        parts.snapshots
          ? registerCameraSnapshotRoute(app, {
              snapshots: parts.snapshots,
              cameraExists: (id) => parts.cameras().some((c) => c.id === id),
            })
          : undefined,
      (app) => (parts.evidence ? registerEvidenceRoutes(app, { evidence: parts.evidence }) : undefined),
      (app) =>
        parts.watchlist
          ? registerWatchlistRoutes(app, {
              watchlist: parts.watchlist,
              enrollBodyLimitBytes: config.faces.enroll_body_limit_bytes,
            })
          : undefined,
      (app) =>
        parts.supportBundle
          ? registerSupportBundleRoute(app, { write: parts.supportBundle, audit: parts.audit })
          : undefined,
      (app) => (parts.weekly ? registerKpiWeeklyRoutes(app, { weekly: parts.weekly }) : undefined),
      (app) =>
        registerIngestRoutes(app, {
          push: parts.push,
          alert: parts.alert,
          frameLimitBytes: config.http.frame_limit_bytes,
        }),
    ],
  };
}

function consoleSettings(config: Readonly<VigilConfig>): ConsoleSettings {
  const { decision_sla_s, allow_self_approval } = config.incidents;
  return {
    site: config.site,
    gateway: config.gateway,
    decision_sla_s,
    allow_self_approval,
    access_ttl_s: config.auth.access_ttl_s,
  };
}

/** The camera listener: HTTPS asking for client certificates, serving the push routes and probes only. */
export function cameraHttpOptions(
  config: Readonly<VigilConfig>,
  parts: OperatorHttpParts,
  trust: CameraTrustStore,
): HttpAppOptions {
  const { auth } = parts;
  return {
    authenticator: {
      user: async () => {
        throw new VigilError(ErrorCodes.FORBIDDEN, "the camera listener serves cameras only");
      },
      camera: (request, reply, cameraId, scope) =>
        auth.cameraAuthenticator.authenticate(request, reply, cameraId, scope),
    },
    bodyLimit: config.http.body_limit_bytes,
    https: trust.tlsOptions(),
    limits: {
      settings: rateLimitSettings(config),
      onLimited: auditRateLimit(parts.audit, parts.log, parts.auth.security),
    },
    routes: [
      (app) => registerHealthRoutes(app, parts.probes),
      (app) =>
        registerIngestRoutes(app, {
          push: parts.push,
          alert: parts.alert,
          frameLimitBytes: config.http.frame_limit_bytes,
        }),
    ],
  };
}
