import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AuditListQuery, AuditLog } from "../../audit/audit-log.js";
import { LIST_LIMIT_MAX } from "../../audit/audit-log.js";
import { role, userOf } from "../route-access.js";
import { EXPENSIVE } from "../expensive-routes.js";
import { AuditPageResponse, AuditVerifyResponse } from "./admin-responses.js";

const ListQuery = Type.Object(
  {
    after_seq: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_LIMIT_MAX })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    since: Type.Optional(Type.String({ format: "date-time" })),
    until: Type.Optional(Type.String({ format: "date-time" })),
  },
  { additionalProperties: false },
);

interface ListQueryT {
  after_seq?: number;
  limit?: number;
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
}

/** `/v1/audit`: the chain for supervisors; paging by seq so a client resumes where it stopped. */
export function registerAuditRoutes(app: FastifyInstance, deps: { audit: AuditLog }): void {
  const supervisor = { access: role("supervisor") };

  app.get<{ Querystring: ListQueryT }>(
    "/v1/audit",
    { config: supervisor, schema: { querystring: ListQuery, response: { 200: AuditPageResponse } } },
    async (request) => {
      const q = request.query;
      const query: AuditListQuery = {
        ...(q.after_seq === undefined ? {} : { afterSeq: q.after_seq }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(q.actor === undefined ? {} : { actor: q.actor }),
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.until === undefined ? {} : { until: q.until }),
      };
      const entries = await deps.audit.list(query);
      const last = entries.at(-1);
      return { entries, next_after_seq: last ? last.seq : null, head_seq: deps.audit.head.seq };
    },
  );

  // Walks the whole chain; reading it is itself worth a line in the trail.
  // `from=checkpoint`: only what was added after the last verified point (and that point's entry).
  const VerifyQuery = Type.Object(
    { from: Type.Optional(Type.Union([Type.Literal("start"), Type.Literal("checkpoint")], { default: "start" })) },
    { additionalProperties: false },
  );
  app.get<{ Querystring: { from?: "start" | "checkpoint" } }>(
    "/v1/audit/verify",
    {
      config: { ...supervisor, limit: EXPENSIVE.auditVerify },
      schema: { querystring: VerifyQuery, response: { 200: AuditVerifyResponse } },
    },
    async (request) => {
      const result = await deps.audit.verify(undefined, { fromCheckpoint: request.query.from === "checkpoint" });
      await deps.audit.record({
        actor: userOf(request).username,
        source: request.ip,
        action: "audit.verified",
        target: "audit:chain",
        result: result.ok ? "ok" : "error",
        details: { checked: result.checked, ...(result.fromSeq === undefined ? {} : { from_seq: result.fromSeq }) },
      });
      return result;
    },
  );
}
