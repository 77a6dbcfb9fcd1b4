import { Type } from "@sinclair/typebox";
import { IncidentSchema, KpiWeeklyDataSchema } from "../../contract/incident-schemas.js";

/** Answers of /v1/incidents and /v1/metrics/summary, from the contract's own schemas. */

export const IncidentPage = Type.Object({
  incidents: Type.Array(IncidentSchema),
  next_cursor: Type.Union([Type.String(), Type.Null()], {
    description: "Pass as `cursor` for the next page; null on the last.",
  }),
});

const { week: _w, from: _f, to: _t, by_rule: _r, transitions: _x, ...figures } = KpiWeeklyDataSchema.properties;

export const KpiSummarySchema = Type.Object({
  ...figures,
  range: Type.Union([Type.Literal("7d"), Type.Literal("30d"), Type.Literal("all")]),
  from: Type.Union([Type.String(), Type.Null()], { description: "Start of the range; null for `all`." }),
  to: Type.String({ description: "End of the range (now)." }),
  total: Type.Integer({ minimum: 0, description: "Incidents that started in the range." }),
  daily: Type.Array(
    Type.Object({
      day: Type.String({ description: "UTC day, YYYY-MM-DD." }),
      incidents: Type.Integer(),
      dismissed: Type.Integer(),
      escalated: Type.Integer(),
    }),
    { description: "One entry per day with incidents, oldest first." },
  ),
});

export { IncidentSchema };
