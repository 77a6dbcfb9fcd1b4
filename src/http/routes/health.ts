import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Readiness } from "../../health/readiness.js";
import { PUBLIC, role } from "../route-access.js";
import { HealthDocumentSchema } from "./health-responses.js";

export interface HealthRouteDeps {
  readonly readiness: () => Readiness;
  readonly version: string;
  readonly startedAt: number;
  /** Whether a request carries a valid access token of any role; absent: nobody gets the details. */
  readonly signedIn?: (request: FastifyRequest) => Promise<boolean>;
}

/** Unauthenticated probes for load balancers, systemd and field techs: tiny and secret-free. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthRouteDeps): void {
  const probe = { config: { access: PUBLIC, limit: "none" as const } };
  app.get("/healthz", probe, async () => ({
    status: "ok",
    version: deps.version,
    uptime_s: Math.round((Date.now() - deps.startedAt) / 1000),
  }));
  // The reasons name cameras and models: anonymous callers (a load balancer, anyone on the LAN)
  // get the status and how many reasons there are; a signed-in viewer gets the reasons themselves.
  app.get("/readyz", probe, async (request, reply) => {
    const r = deps.readiness();
    const details =
      request.headers.authorization !== undefined && deps.signedIn !== undefined && (await deps.signedIn(request));
    return reply
      .status(r.ready ? 200 : 503)
      .send(details ? { ready: r.ready, reasons: r.reasons } : { ready: r.ready, reason_count: r.reasons.length });
  });
}

/** `GET /v1/health`: the full health document (cameras, uplink, outbox...), for signed-in viewers. */
export function registerHealthDocumentRoute(app: FastifyInstance, health: () => unknown): void {
  app.get(
    "/v1/health",
    { config: { access: role("viewer") }, schema: { response: { 200: HealthDocumentSchema } } },
    async () => health(),
  );
}
