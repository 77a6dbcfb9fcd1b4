import { auditAdminOps } from "../audit/audit-admin-ops.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { VigilConfig } from "../config/schema.js";
import type { Secrets } from "../config/secrets.js";
import type { AdminOps } from "../contract/admin.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";

export interface AdminDeps {
  readonly database: Database;
  readonly commits: GroupCommit;
  readonly audit: AuditLog;
  readonly log: Logger;
}

/** Every local admin op, for the daemon's socket and the CLI's offline path alike. */
export function buildAdminOps(_lifecycle: Lifecycle, _config: Readonly<VigilConfig>, _secrets: Secrets, deps: AdminDeps): AdminOps {
  return { ...auditAdminOps(deps.audit) };
}
