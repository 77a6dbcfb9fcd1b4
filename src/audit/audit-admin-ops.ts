import { Type } from "@sinclair/typebox";
import type { AdminOps } from "../contract/admin.js";
import type { AuditInput, AuditRecorder } from "../contract/audit.js";

/**
 * `audit.record`: lets CLI verbs that change files rather than the store (`vigil cert issue`,
 * `vigil cert revoke`) put their change in the trail. The actor is always the local caller.
 */
export function auditAdminOps(audit: AuditRecorder): AdminOps {
  return {
    "audit.record": {
      summary: "append an entry to the audit chain on behalf of a local CLI verb",
      args: Type.Object(
        {
          action: Type.String({ pattern: "^[a-z][a-z0-9_.]{1,63}$" }),
          target: Type.String({ minLength: 1, maxLength: 256 }),
          result: Type.Union([Type.Literal("ok"), Type.Literal("denied"), Type.Literal("error")]),
          details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { additionalProperties: false },
      ),
      run: async (args: Omit<AuditInput, "actor" | "source">, ctx) => {
        const entry = await audit.record({ ...args, actor: ctx.actor });
        return { seq: entry.seq };
      },
    },
  };
}
