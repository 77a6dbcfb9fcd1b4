import { KpiWeeklyDataSchema } from "../../contract/incident-schemas.js";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { KpiRollupStore } from "../../incidents/kpi-rollup-store.js";
import { role } from "../route-access.js";
import { EXPENSIVE } from "../expensive-routes.js";

const WeeklyQuery = Type.Object(
  {
    weeks: Type.Integer({
      minimum: 1,
      maximum: 520,
      default: 12,
      description: "how many of the latest weeks with incidents",
    }),
  },
  { additionalProperties: false },
);

/** `GET /v1/metrics/weekly` (viewer): the weekly KPIs (from the day rollups), newest week first, as sent in `kpi.weekly`. */
export function registerKpiWeeklyRoutes(app: FastifyInstance, deps: { weekly: Pick<KpiRollupStore, "weeks"> }): void {
  app.get<{ Querystring: { weeks: number } }>(
    "/v1/metrics/weekly",
    {
      config: { access: role("viewer"), limit: EXPENSIVE.kpiSummary },
      schema: { querystring: WeeklyQuery, response: { 200: Type.Object({ weeks: Type.Array(KpiWeeklyDataSchema) }) } },
    },
    async (request) => ({
      weeks: deps.weekly.weeks(request.query.weeks).reverse(),
    }),
  );
}
