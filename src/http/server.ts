import Fastify, { type FastifyInstance } from "fastify";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { parseHostPort } from "../sync/embedded-broker.js";
import { registerErrorHandler } from "./errors.js";
import { registerHealthRoutes, type HealthRouteDeps } from "./routes/health.js";
import { registerMetricsRoute, type MetricsRouteDeps } from "./routes/metrics.js";

export interface HttpDeps extends HealthRouteDeps {
  readonly metrics?: MetricsRouteDeps | undefined;
}

/** Builds the app without listening, so tests use `inject()` and the daemon calls `listen`. */
export function buildHttpApp(deps: HttpDeps, log: Logger): FastifyInstance {
  // Fastify's own per-request logging would log every health probe; errors are logged by our handler.
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  registerErrorHandler(app, log);
  registerHealthRoutes(app, deps);
  if (deps.metrics) registerMetricsRoute(app, deps.metrics);
  return app;
}

export class HttpServer implements Component {
  readonly name = "http";
  private app: FastifyInstance | undefined;
  private address: string | undefined;

  constructor(
    private readonly listen: string,
    private readonly deps: HttpDeps,
    private readonly log: Logger,
  ) {}

  get url(): string | undefined {
    return this.address;
  }

  async start(): Promise<void> {
    const app = buildHttpApp(this.deps, this.log);
    const { host, port } = parseHostPort(this.listen);
    this.address = await app.listen({ host, port });
    this.app = app;
    this.log.info({ url: this.address }, "http listening");
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    await app?.close();
  }
}
