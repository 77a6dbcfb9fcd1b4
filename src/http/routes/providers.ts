import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ProviderStatus } from "../../inference/providers/provider-chain.js";
import { role } from "../route-access.js";
import { ProvidersResponse } from "./health-responses.js";

export interface ProviderRouteDeps {
  readonly providers: () => readonly ProviderStatus[];
}

const ProvidersQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union([Type.Literal("healthy"), Type.Literal("degraded"), Type.Literal("unhealthy")], {
        description: "only providers in this state",
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * `GET /v1/providers` (viewer): each inference provider in priority order with its health state,
 * run and failure counts, response-time average and last error, for the tech asking why the box
 * runs on CPU or has stopped detecting.
 */
export function registerProviderRoutes(app: FastifyInstance, deps: ProviderRouteDeps): void {
  app.get<{ Querystring: Static<typeof ProvidersQuery> }>(
    "/v1/providers",
    {
      config: { access: role("viewer") },
      schema: { querystring: ProvidersQuery, response: { 200: ProvidersResponse } },
    },
    async (request) => {
      const wanted = request.query.state;
      return { providers: deps.providers().filter((p) => wanted === undefined || p.state === wanted) };
    },
  );
}
