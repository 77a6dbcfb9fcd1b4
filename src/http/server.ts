import type { ServerOptions as HttpsOptions } from "node:https";
import helmet from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";
import { MIN_TLS_VERSION, TLS_CIPHERS } from "../auth/mtls/tls-policy.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { isLoopbackHost } from "../core/loopback.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { parseHostPort } from "../core/host-port.js";
import { registerConsoleRoutes } from "./console/console-routes.js";
import { contentSecurityDirectives } from "./content-security.js";
import { registerErrorHandler } from "./errors.js";
import { registerOpenApi } from "./openapi.js";
import { createLimiters, type OnLimited, type RateLimitSettings } from "./rate-limits.js";
import { enforceRouteAccess, type RequestAuthenticator } from "./route-access.js";
import { useTypeBoxValidation } from "./validation.js";

export type RouteModule = (app: FastifyInstance) => void;

export interface HttpAppOptions {
  readonly authenticator: RequestAuthenticator;
  readonly routes: readonly RouteModule[];
  /** Absent: no rate limits (unit tests of single routes). */
  readonly limits?: { readonly settings: RateLimitSettings; readonly onLimited: OnLimited } | undefined;
  readonly bodyLimit?: number | undefined;
  readonly https?: HttpsOptions | undefined;
  /** Serve `GET /v1/openapi.json`, generated from the routes' schemas. */
  readonly openapi?: boolean | undefined;
  /** Serve the built web console from this folder at `GET /` (nothing when it was not built). */
  readonly consoleDir?: string | undefined;
}

/** TLS 1.2 and 1.3 with forward-secret AEAD suites only (the policy every Vigil listener shares). */
export const MODERN_TLS: Pick<HttpsOptions, "minVersion" | "ciphers" | "honorCipherOrder"> = {
  minVersion: MIN_TLS_VERSION,
  ciphers: TLS_CIPHERS,
  honorCipherOrder: true,
};

/**
 * Builds the app without listening, so tests use `inject()` and the daemon calls `listen`. Order
 * matters: validation, headers and the access rules are in place before any route is added.
 */
export async function buildHttpApp(options: HttpAppOptions, log: Logger): Promise<FastifyInstance> {
  const common = { logger: false, bodyLimit: options.bodyLimit ?? 65_536 } as const;
  // Fastify's instance type depends on http vs https; the routes do not care which.
  const app = (options.https
    ? Fastify({ ...common, https: options.https })
    : Fastify(common)) as unknown as FastifyInstance;
  registerErrorHandler(app, log);
  useTypeBoxValidation(app);
  await app.register(helmet, {
    global: true,
    hsts: options.https !== undefined,
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityDirectives(options.https !== undefined) },
  });
  app.addHook("onSend", async (request, reply) => {
    // Nothing an API answers (tokens, incidents, keys) belongs in a cache.
    if (request.url.startsWith("/v1/") && !reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
  });
  const limiters = options.limits
    ? await createLimiters(app, options.limits.settings, options.limits.onLimited)
    : undefined;
  enforceRouteAccess(app, options.authenticator, limiters);
  if (options.openapi) await registerOpenApi(app);
  for (const register of options.routes) register(app);
  if (options.consoleDir !== undefined) await registerConsoleRoutes(app, options.consoleDir, log);
  return app;
}

export class HttpServer implements Component {
  readonly name: string;
  private app: FastifyInstance | undefined;
  private address: string | undefined;

  constructor(
    private readonly listen: string,
    private readonly options: () => Promise<HttpAppOptions>,
    private readonly log: Logger,
    settings: { name?: string; allowPlainHttp?: boolean; onListening?: (app: FastifyInstance) => void } = {},
  ) {
    this.name = settings.name ?? "http";
    this.allowPlain = settings.allowPlainHttp ?? false;
    this.onListening = settings.onListening;
  }

  private readonly allowPlain: boolean;
  private readonly onListening: ((app: FastifyInstance) => void) | undefined;

  get url(): string | undefined {
    return this.address;
  }

  /** The running app, for the parts that must reach its server (TLS reloads). */
  get server(): FastifyInstance | undefined {
    return this.app;
  }

  async start(): Promise<void> {
    const options = await this.options();
    const { host, port } = parseHostPort(this.listen);
    if (!options.https && !this.allowPlain && !isLoopbackHost(host)) {
      throw new VigilError(
        ErrorCodes.CONFIG_INVALID,
        `http.listen ${this.listen} is not a loopback address: configure http.tls, or set http.allow_plain_http: true to serve plain HTTP on the network`,
        { details: { path: "/http/listen" } },
      );
    }
    const app = await buildHttpApp(options, this.log);
    this.address = await app.listen({ host, port });
    this.app = app;
    this.onListening?.(app);
    this.log.info({ url: this.address }, `${this.name} listening`);
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    await app?.close();
  }
}
