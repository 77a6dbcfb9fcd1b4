import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { DISMISS_REASONS, type DismissReason, type IncidentStatus } from "../../contract/incident.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { IncidentService } from "../../incidents/incident-service.js";
import { KPI_RANGES, type KpiRange, kpiSummary } from "../../incidents/kpi.js";
import type { KpiRollupStore } from "../../incidents/kpi-rollup-store.js";
import { DECISION_ACTIONS, type DecisionAction } from "../../incidents/lifecycle.js";
import { role, userOf } from "../route-access.js";
import { EXPENSIVE } from "../expensive-routes.js";
import { IncidentPage, IncidentSchema, KpiSummarySchema } from "./incident-responses.js";

const STATUSES = [
  "open",
  "monitoring",
  "dismissed",
  "escalated",
  "dispatch_pending_review",
  "dispatch_authorized",
  "closed",
] as const;
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: "^[0-9a-f-]+$" }) });
const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
    camera: Type.Optional(Type.String({ pattern: "^[a-z0-9_-]{1,64}$" })),
    rule: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    since: Type.Optional(Type.String({ format: "date-time" })),
    until: Type.Optional(Type.String({ format: "date-time" })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
const Note = Type.String({ minLength: 1, maxLength: 1000 });
const Version = Type.Integer({ minimum: 1, description: "the version you decided on; another one is a 409 conflict" });
const DecisionBody = Type.Object(
  {
    action: Type.Union(DECISION_ACTIONS.map((a) => Type.Literal(a))),
    dismiss_reason: Type.Optional(Type.Union(DISMISS_REASONS.map((r) => Type.Literal(r)))),
    note: Type.Optional(Note),
    version: Type.Optional(Version),
  },
  { additionalProperties: false },
);
const ApproveBody = Type.Object(
  { note: Type.Optional(Note), version: Type.Optional(Version) },
  { additionalProperties: false },
);

interface ListQueryT {
  status?: IncidentStatus;
  camera?: string;
  rule?: string;
  zone?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

const SummaryQuery = Type.Object(
  {
    range: Type.Union(
      (Object.keys(KPI_RANGES) as KpiRange[]).map((r) => Type.Literal(r)),
      { default: "7d" },
    ),
  },
  { additionalProperties: false },
);

/** `/v1/incidents`: viewers read, operators decide, supervisors approve dispatch. */
export function registerIncidentRoutes(
  app: FastifyInstance,
  deps: { incidents: IncidentService; kpis?: Pick<KpiRollupStore, "summary"> | undefined },
): void {
  app.get<{ Querystring: ListQueryT }>(
    "/v1/incidents",
    {
      config: { access: role("viewer"), limit: EXPENSIVE.incidentList },
      schema: { querystring: ListQuery, response: { 200: IncidentPage } },
    },
    async (request) => {
      const q = request.query;
      return deps.incidents.list({
        status: q.status,
        camera: q.camera,
        rule: q.rule,
        zone: q.zone,
        since: q.since === undefined ? undefined : Date.parse(q.since),
        until: q.until === undefined ? undefined : Date.parse(q.until),
        limit: q.limit,
        cursor: q.cursor,
      });
    },
  );

  app.get<{ Querystring: { range: KpiRange } }>(
    "/v1/metrics/summary",
    {
      config: { access: role("viewer"), limit: EXPENSIVE.kpiSummary },
      schema: { querystring: SummaryQuery, response: { 200: KpiSummarySchema } },
    },
    async (request) =>
      // From the day rollups (one read per day); a stack without them (tests of other parts) scans.
      deps.kpis
        ? deps.kpis.summary(request.query.range, Date.now())
        : kpiSummary(await deps.incidents.all(), request.query.range, Date.now()),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/incidents/:id",
    { config: { access: role("viewer") }, schema: { params: IdParams, response: { 200: IncidentSchema } } },
    async (request) => {
      const incident = await deps.incidents.get(request.params.id);
      if (!incident) throw new VigilError(ErrorCodes.NOT_FOUND, `no incident ${request.params.id}`);
      return incident;
    },
  );

  app.post<{
    Params: { id: string };
    Body: { action: DecisionAction; dismiss_reason?: DismissReason; note?: string; version?: number };
  }>(
    "/v1/incidents/:id/decision",
    {
      config: { access: role("operator") },
      schema: { params: IdParams, body: DecisionBody, response: { 200: IncidentSchema } },
    },
    async (request) => {
      const b = request.body;
      return deps.incidents.decide(
        request.params.id,
        {
          action: b.action,
          actor: userOf(request).username,
          reason: b.dismiss_reason,
          note: b.note,
          expectedVersion: b.version,
        },
        request.ip,
      );
    },
  );

  app.post<{ Params: { id: string }; Body: { note?: string; version?: number } }>(
    "/v1/incidents/:id/approve",
    {
      config: { access: role("supervisor") },
      schema: { params: IdParams, body: ApproveBody, response: { 200: IncidentSchema } },
    },
    async (request) =>
      deps.incidents.decide(
        request.params.id,
        {
          action: "approve",
          actor: userOf(request).username,
          note: request.body.note,
          expectedVersion: request.body.version,
        },
        request.ip,
      ),
  );
}
