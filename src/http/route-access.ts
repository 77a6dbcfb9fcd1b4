import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CameraPrincipal, Principal, UserPrincipal } from "../contract/principal.js";
import type { CameraScope, Role, RouteAccess } from "../contract/roles.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Limiters, RequestHook } from "./rate-limits.js";

export type { CameraPrincipal, Principal, UserPrincipal } from "../contract/principal.js";

/** What the access hook needs from the auth module; it throws coded errors (401, 403, 429). */
export interface RequestAuthenticator {
  user(request: FastifyRequest, needed: Role): Promise<UserPrincipal>;
  camera(request: FastifyRequest, reply: FastifyReply, cameraId: string, scope: CameraScope): Promise<CameraPrincipal>;
}

declare module "fastify" {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /**
     * `login`: the stricter login limits; `none`: probes that monitoring polls (healthz, readyz);
     * `{ perMinute }`: an expensive route's own limit per user, on top of the usual ones.
     */
    limit?: "login" | "none" | { readonly perMinute: number };
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export const PUBLIC: RouteAccess = { kind: "public" };
export const role = (r: Role): RouteAccess => ({ kind: "role", role: r });
export const camera = (scope: CameraScope): RouteAccess => ({ kind: "camera", scope });

export function userOf(request: FastifyRequest): UserPrincipal {
  const p = request.principal;
  if (p?.kind !== "user") throw new VigilError(ErrorCodes.UNAUTHENTICATED, "authentication required");
  return p;
}

export function cameraOf(request: FastifyRequest): CameraPrincipal {
  const p = request.principal;
  if (p?.kind !== "camera") throw new VigilError(ErrorCodes.UNAUTHENTICATED, "authentication required");
  return p;
}

/**
 * Default deny, enforced by construction: a route registered without `config.access` makes
 * registration throw (the daemon does not start), and each route gets its hooks in one fixed
 * order before its body is even parsed: the per-address limit, authentication and role, then the
 * per-user limit. Must be installed before any route is added.
 */
export function enforceRouteAccess(app: FastifyInstance, auth: RequestAuthenticator, limiters?: Limiters): void {
  app.decorateRequest("principal", undefined);
  const authenticate: RequestHook = async (request, reply) => {
    const access = request.routeOptions.config.access;
    if (!access || access.kind === "public") return;
    if (access.kind === "role") {
      request.principal = await auth.user(request, access.role);
      return;
    }
    const cameraId = (request.params as { cameraId?: unknown }).cameraId;
    if (typeof cameraId !== "string")
      throw new Error(`camera route ${request.routeOptions.url ?? "?"} has no :cameraId`);
    request.principal = await auth.camera(request, reply, cameraId, access.scope);
  };
  app.addHook("onRoute", (route) => {
    const access = route.config?.access;
    if (!access)
      throw new Error(
        `route ${String(route.method)} ${route.url} declares no access; every route must (public, a role, or camera)`,
      );
    const limit = route.config?.limit;
    const before: RequestHook[] = [];
    const after: RequestHook[] = [];
    if (limiters && limit !== "none") {
      before.push(limiters.perIp);
      if (limit === "login") {
        before.push(limiters.loginPerIp);
        after.push(limiters.loginPerUser);
      } else if (access.kind !== "public") {
        after.push(limiters.perUser);
      }
      if (typeof limit === "object")
        after.push(limiters.perRoute(`${String(route.method)} ${route.url}`, limit.perMinute));
    }
    route.onRequest = [...before, authenticate, ...(limit === "login" ? [] : after), ...[route.onRequest ?? []].flat()];
    // The login body names the account, so its limit can only run once the body is parsed.
    if (limit === "login") route.preHandler = [...after, ...[route.preHandler ?? []].flat()];
  });
}

/** The route table with each route's declared access, for the test that walks it. */
export function collectRouteTable(
  app: FastifyInstance,
): Array<{ method: string; url: string; access: RouteAccess | undefined }> {
  const table: Array<{ method: string; url: string; access: RouteAccess | undefined }> = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access: route.config?.access });
  });
  return table;
}
