import { Type } from "@sinclair/typebox";
import { auditAdminOps } from "../audit/audit-admin-ops.js";
import { apiKeyAdminOps } from "../auth/api-keys/api-key-admin-ops.js";
import { userAdminOps } from "../auth/user-admin-ops.js";
import type { AdminOps } from "../contract/admin.js";
import type { AuditRecorder } from "../contract/audit.js";
import { type CameraViews, cameraAdminOps } from "../ingest/camera-admin-ops.js";
import type { CameraRegistry } from "../ingest/camera-registry.js";
import { evidenceAdminOps } from "../incidents/evidence/evidence-admin-ops.js";
import { EvidenceExporter } from "../incidents/evidence/exporter.js";
import { storeEvidenceSource } from "../incidents/evidence/source.js";
import { type BackupSource, storeAdminOps } from "../store/store-admin-ops.js";
import type { WatchlistService } from "../watchlist/watchlist-service.js";
import { watchlistAdminOps } from "../watchlist/watchlist-admin-ops.js";
import type { AuthParts } from "./auth.js";

/** Every local admin op, for the daemon's socket and the CLI's offline path alike. */
export function buildAdminOps(parts: {
  auth: AuthParts;
  audit: AuditRecorder;
  health?: () => unknown;
  store?: BackupSource;
  checkpointKey?: string;
  watchlist?: WatchlistService;
  cameras?: { registry: CameraRegistry; views?: CameraViews };
}): AdminOps {
  const { health, store, checkpointKey } = parts;
  // Evidence packs are read from the store and signed with the checkpoint key: both are needed.
  const evidence =
    store && checkpointKey
      ? evidenceAdminOps(
          new EvidenceExporter(storeEvidenceSource(store.database), parts.audit, checkpointKey, {
            site: store.site,
            gateway: store.gateway,
          }),
        )
      : {};
  return {
    // Only the daemon has live health; the CLI's offline path does not offer it.
    ...(health
      ? {
          "health.get": {
            summary: "the health document, as GET /v1/health",
            args: Type.Object({}, { additionalProperties: false }),
            run: async () => health(),
          },
        }
      : {}),
    ...auditAdminOps(parts.audit),
    ...userAdminOps(parts.auth.users, parts.auth.ring, parts.audit),
    ...apiKeyAdminOps(parts.auth.keys),
    ...(store ? storeAdminOps(store, parts.audit) : {}),
    ...evidence,
    ...(parts.watchlist ? watchlistAdminOps(parts.watchlist) : {}),
    ...(parts.cameras ? cameraAdminOps(parts.cameras.registry, parts.cameras.views) : {}),
  };
}
