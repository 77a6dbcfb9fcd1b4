import type { FastifyInstance } from "fastify";
import type { Readiness } from "../../health/readiness.js";
import { PUBLIC, role } from "../route-access.js";

export interface HealthRouteDeps {
  readonly readiness: () => Readiness;
  readonly version: string;
  readonly startedAt: number;
}

/** Unauthenticated probes for load balancers, systemd and field techs: tiny and secret-free. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthRouteDeps): void {
  const probe = { config: { access: PUBLIC, limit: "none" as const } };
  app.get("/healthz", probe, async () => ({ status: "ok", version: deps.version, uptime_s: Math.round((Date.now() - deps.startedAt) / 1000) }));
  app.get("/readyz", probe, async (_request, reply) => {
    const r = deps.readiness();
    return reply.status(r.ready ? 200 : 503).send({ ready: r.ready, reasons: r.reasons });
  });
}

/** `GET /v1/health`: the full health document (cameras, uplink, outbox...), for signed-in viewers. */
export function registerHealthDocumentRoute(app: FastifyInstance, health: () => unknown): void {
  app.get("/v1/health", { config: { access: role("viewer") } }, async () => health());
}
