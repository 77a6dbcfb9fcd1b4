import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { PUBLIC } from "../route-access.js";

export interface MetricsRouteDeps {
  /** `loopback`: only from 127.0.0.0/8 or ::1; `token`: `Authorization: Bearer <token>` from anywhere. */
  readonly access: "loopback" | "token";
  readonly token?: string | undefined;
  render(): Promise<{ contentType: string; body: string }>;
}

function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  return (isIP(v4) === 4 && v4.startsWith("127.")) || ip === "::1";
}

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
  const want = Buffer.from(token);
  // Compared in constant time; the length check leaks only the length, which is not secret.
  return given.length === want.length && timingSafeEqual(given, want);
}

/** `GET /metrics` in Prometheus text format, outside /v1 and its user auth, as scrapers expect. */
export function registerMetricsRoute(app: FastifyInstance, deps: MetricsRouteDeps): void {
  // Public to the user auth: scrapers hold no user token. The handler applies its own rule.
  app.get("/metrics", { config: { access: PUBLIC, limit: "none" } }, async (request, reply) => {
    if (deps.access === "loopback" && !isLoopback(request.ip))
      throw new VigilError(ErrorCodes.FORBIDDEN, "metrics are served to loopback only");
    if (deps.access === "token" && !(deps.token && bearerMatches(request, deps.token))) {
      throw new VigilError(ErrorCodes.UNAUTHENTICATED, "a valid bearer token is required");
    }
    const { contentType, body } = await deps.render();
    return reply.type(contentType).send(body);
  });
}
