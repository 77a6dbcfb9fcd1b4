import { Type } from "@sinclair/typebox";
import { auditAdminOps } from "../audit/audit-admin-ops.js";
import { apiKeyAdminOps } from "../auth/api-keys/api-key-admin-ops.js";
import { userAdminOps } from "../auth/user-admin-ops.js";
import type { AdminOps } from "../contract/admin.js";
import type { AuditRecorder } from "../contract/audit.js";
import { type BackupSource, storeAdminOps } from "../store/store-admin-ops.js";
import type { AuthParts } from "./auth.js";

/** Every local admin op, for the daemon's socket and the CLI's offline path alike. */
export function buildAdminOps(parts: { auth: AuthParts; audit: AuditRecorder; health?: () => unknown; store?: BackupSource }): AdminOps {
  const health = parts.health;
  return {
    // Only the daemon has live health; the CLI's offline path does not offer it.
    ...(health ? { "health.get": { summary: "the health document, as GET /v1/health", args: Type.Object({}, { additionalProperties: false }), run: async () => health() } } : {}), ...auditAdminOps(parts.audit), ...userAdminOps(parts.auth.users, parts.auth.ring, parts.audit), ...apiKeyAdminOps(parts.auth.keys), ...(parts.store ? storeAdminOps(parts.store, parts.audit) : {}) };
}
