import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { role } from "../route-access.js";

export const ConsoleSettingsSchema = Type.Object({
  site: Type.String(),
  gateway: Type.String(),
  decision_sla_s: Type.Integer({
    description: "incidents.decision_sla_s: how long an open incident may wait for a decision.",
  }),
  allow_self_approval: Type.Boolean({
    description: "incidents.allow_self_approval: the four-eyes rule is off when true.",
  }),
  access_ttl_s: Type.Integer({ description: "Access-token lifetime." }),
});
export type ConsoleSettings = typeof ConsoleSettingsSchema.static;

/** `GET /v1/settings` (viewer): the site's settings the console shows and follows. */
export function registerConsoleSettingsRoute(app: FastifyInstance, settings: ConsoleSettings): void {
  app.get(
    "/v1/settings",
    { config: { access: role("viewer") }, schema: { response: { 200: ConsoleSettingsSchema } } },
    async () => settings,
  );
}
