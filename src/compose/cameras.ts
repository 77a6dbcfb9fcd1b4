import type { ApiKeyService } from "../auth/api-keys/api-key-service.js";
import { cameraSourcePolicy } from "../config/camera-source-rules.js";
import type { CameraConfig, VigilConfig } from "../config/schema.js";
import { readSecretFile, secretsSearchPath } from "../config/secrets.js";
import type { AuthParts } from "./auth.js";
import { LiveView } from "../ingest/live-view.js";
import type { AuditRecorder } from "../contract/audit.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { CameraCredentials } from "../ingest/camera-credentials.js";
import { ffprobeCamera } from "../ingest/camera-probe.js";
import { type CameraActor, CameraRegistry } from "../ingest/camera-registry.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";

export interface CameraRegistryParts {
  readonly database: Database;
  readonly commits: GroupCommit;
  readonly audit: AuditRecorder;
  readonly keys: ApiKeyService;
  readonly env: NodeJS.ProcessEnv;
  /** The config file's cameras (they change on SIGHUP). */
  readonly provisioned: () => readonly CameraConfig[];
  readonly apply: (cameras: readonly CameraConfig[]) => Promise<unknown>;
  readonly accept?: (camera: CameraConfig) => void;
  readonly configRuleIds?: () => ReadonlySet<string>;
  readonly log: Logger;
}

/** A removed camera's active keys are revoked (each audited as key.revoked): its id may be reused. */
async function revokeCameraKeys(keys: ApiKeyService, cameraId: string, by: CameraActor): Promise<string[]> {
  const active = keys.list(cameraId).filter((k) => k.status === "active");
  for (const k of active) await keys.revoke(k.key_id, by);
  return active.map((k) => k.key_id);
}

/** The camera registry on the store; added after the store and before the cameras it feeds. */
export function addCameraRegistry(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  parts: CameraRegistryParts,
): CameraRegistry {
  return lifecycle.add(
    new CameraRegistry({
      database: parts.database,
      commits: parts.commits,
      audit: parts.audit,
      provisioned: parts.provisioned,
      apply: parts.apply,
      ...(parts.accept ? { accept: parts.accept } : {}),
      ...(parts.configRuleIds ? { configRuleIds: parts.configRuleIds } : {}),
      probe: ffprobeCamera(config.ingest.probe_timeout_s * 1000),
      credentials: new CameraCredentials(config.secrets_dir, secretsSearchPath(config.secrets_dir, parts.env)),
      sources: cameraSourcePolicy(config),
      revokeKeys: (id, by) => revokeCameraKeys(parts.keys, id, by),
      log: parts.log,
    }),
  );
}

/** Live view on the operator listener; add it after the listener so it stops (closing viewers) first. */
export function addLiveView(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  parts: { registry: CameraRegistry; auth: AuthParts; audit: AuditRecorder; env: NodeJS.ProcessEnv; log: Logger },
): LiveView {
  const lv = config.live_view;
  const search = secretsSearchPath(config.secrets_dir, parts.env);
  return lifecycle.add(
    new LiveView({
      enabled: lv.enabled,
      maxViewers: lv.max_viewers,
      idleStopMs: lv.idle_stop_s * 1000,
      fps: lv.fps,
      maxWidth: lv.max_width,
      bitrateKbps: lv.bitrate_kbps,
      camera: (id) => {
        const c = parts.registry.get(id);
        return c && { config: c.camera, size: c.probe ?? undefined };
      },
      readCredentials: async (file) => (file === undefined ? undefined : readSecretFile(search, file)),
      auth: {
        tickets: parts.auth.liveTickets,
        authenticate: (request, needed) => parts.auth.authenticator.authenticate(request, needed),
        standing: (principal, needed) => parts.auth.authenticator.standing(principal, needed),
      },
      onSessionsEnded: parts.auth.onSessionsEnded,
      recheckMs: lv.recheck_s * 1000,
      upgradesPerMinute: lv.upgrades_per_ip_per_minute,
      allowedOrigins: lv.allowed_origins,
      audit: parts.audit,
      log: parts.log,
    }),
  );
}
