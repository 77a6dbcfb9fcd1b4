import { access } from "node:fs/promises";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Logger } from "../../core/logger.js";
import { PACKAGE_ROOT } from "../../core/version.js";
import { PUBLIC } from "../route-access.js";

/** Where `npm run build` puts the console: dist/console beside dist/src. */
export const BUILT_CONSOLE_DIR = join(PACKAGE_ROOT, "dist", "console");

/** The console's own paths: each serves index.html, and the console's router shows the page. */
export const CONSOLE_PAGES = [
  "/",
  "/login",
  "/incidents",
  "/incidents/:id",
  "/kpis",
  "/account",
  "/cameras",
  "/cameras/:id",
] as const;
/** The field techs' and administrators' pages (console/src/field-routes.tsx). */
export const FIELD_CONSOLE_PAGES = ["/health", "/live", "/watchlist", "/audit", "/users", "/providers"] as const;

const AssetParams = Type.Object({ "*": Type.String({ pattern: "^[A-Za-z0-9._-]{1,128}$" }) });

/** True when the console was built (a daemon built without it still serves the API). */
export async function consoleBuilt(dir: string): Promise<boolean> {
  try {
    await access(join(dir, "index.html"));
    return true;
  } catch {
    return false;
  }
}

/**
 * `GET /` and the console's pages: index.html, never cached (it names the current assets);
 * `GET /assets/<name>-<hash>.<ext>`: fingerprinted by Vite, so cached for a year as immutable.
 * Public: the files hold no data; every call they make to /v1 is authenticated.
 */
export async function registerConsoleRoutes(app: FastifyInstance, dir: string, log: Logger): Promise<void> {
  if (!(await consoleBuilt(dir))) {
    log.warn({ dir }, "the web console is not built (npm run build): GET / is not served");
    return;
  }
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root: dir, serve: false });
    registerFiles(scope, dir);
  });
}

function registerFiles(app: FastifyInstance, dir: string): void {
  for (const url of [...CONSOLE_PAGES, ...FIELD_CONSOLE_PAGES]) {
    app.get(url, { config: { access: PUBLIC }, schema: { hide: true } }, (_request, reply) =>
      reply.header("cache-control", "no-store").sendFile("index.html", dir, { cacheControl: false }),
    );
  }
  app.get<{ Params: { "*": string } }>(
    "/assets/*",
    { config: { access: PUBLIC }, schema: { hide: true, params: AssetParams } },
    (request, reply) => reply.sendFile(request.params["*"], join(dir, "assets"), { maxAge: "365d", immutable: true }),
  );
}
