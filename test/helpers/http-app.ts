import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { createLogger } from "../../src/core/logger.js";
import { ErrorCodes, VigilError } from "../../src/core/errors.js";
import type { RequestAuthenticator } from "../../src/http/route-access.js";
import { buildHttpApp, type RouteModule } from "../../src/http/server.js";

export const quietLogger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** Refuses every credential: for tests of public routes. */
export const denyAll: RequestAuthenticator = {
  user: async () => {
    throw new VigilError(ErrorCodes.UNAUTHENTICATED, "no credentials accepted in this test");
  },
  camera: async () => {
    throw new VigilError(ErrorCodes.UNAUTHENTICATED, "no credentials accepted in this test");
  },
};

/** The real app builder (headers, validation, access rules) with just the given routes. */
export function appWith(
  routes: readonly RouteModule[],
  authenticator: RequestAuthenticator = denyAll,
): Promise<FastifyInstance> {
  return buildHttpApp({ authenticator, routes }, quietLogger);
}
