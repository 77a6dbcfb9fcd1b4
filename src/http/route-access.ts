import type { FastifyInstance, FastifyRequest } from "fastify";
import type { CameraScope, Role, RouteAccess } from "../contract/roles.js";
import { ErrorCodes, VigilError } from "../core/errors.js";

/** An operator proven by an access token. The role is the user's current one, not the token's. */
export interface UserPrincipal {
  readonly kind: "user";
  readonly username: string;
  readonly role: Role;
  readonly sessionId: string;
  readonly tokenId: string;
  /** Access-token expiry (epoch seconds): how long a revocation of this token must be kept. */
  readonly tokenExpiresAt: number;
}

/** A push camera proven by an API key and/or a client certificate, bound to one camera id. */
export interface CameraPrincipal {
  readonly kind: "camera";
  readonly cameraId: string;
  readonly apiKeyId?: string | undefined;
  readonly certFingerprint?: string | undefined;
}

export type Principal = UserPrincipal | CameraPrincipal;

/** What the access hook needs from the auth module; it throws coded errors (401, 403, 429). */
export interface RequestAuthenticator {
  user(request: FastifyRequest, needed: Role): Promise<UserPrincipal>;
  camera(request: FastifyRequest, cameraId: string, scope: CameraScope): Promise<CameraPrincipal>;
}

declare module "fastify" {
  interface FastifyContextConfig {
    access?: RouteAccess;
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
 * registration throw (the daemon does not start), and every request passes the access hook before
 * its body is even parsed. Must be installed before any route is added.
 */
export function enforceRouteAccess(app: FastifyInstance, auth: RequestAuthenticator): void {
  app.decorateRequest("principal", undefined);
  app.addHook("onRoute", (route) => {
    const access = route.config?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} declares no access; every route must (public, a role, or camera)`);
  });
  app.addHook("onRequest", async (request) => {
    const access = request.routeOptions.config.access;
    // Only the 404 handler has no route config; it reveals nothing.
    if (!access || access.kind === "public") return;
    if (access.kind === "role") {
      request.principal = await auth.user(request, access.role);
      return;
    }
    const cameraId = (request.params as { cameraId?: unknown }).cameraId;
    if (typeof cameraId !== "string") throw new Error(`camera route ${request.routeOptions.url ?? "?"} has no :cameraId`);
    request.principal = await auth.camera(request, cameraId, access.scope);
  });
}

/** The route table with each route's declared access, for the test that walks it. */
export function collectRouteTable(app: FastifyInstance): Array<{ method: string; url: string; access: RouteAccess | undefined }> {
  const table: Array<{ method: string; url: string; access: RouteAccess | undefined }> = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access: route.config?.access });
  });
  return table;
}
