import swagger from "@fastify/swagger";
import type { FastifyInstance, FastifySchema } from "fastify";
import type { RouteAccess } from "../contract/roles.js";
import { VERSION } from "../core/version.js";
import { PUBLIC } from "./route-access.js";

/** Where the document is served; docs/openapi.json is the same document, kept current by a test. */
export const OPENAPI_PATH = "/v1/openapi.json";

/** What the route's declared access means to a client: how it authenticates, which role it needs. */
function accessDoc(access: RouteAccess | undefined): Partial<FastifySchema> & Record<string, unknown> {
  if (!access || access.kind === "public") return { "x-vigil-access": "public" };
  if (access.kind === "role")
    return {
      security: [{ bearer: [] }],
      "x-vigil-access": `role:${access.role}`,
      description: `Role: ${access.role} or above.`,
    };
  return {
    security: [{ apiKey: [] }, { apiKeyHeader: [] }],
    "x-vigil-access": `camera:${access.scope}`,
    description: "A push camera: API key and/or client certificate.",
  };
}

/**
 * OpenAPI 3.1 from the routes' own TypeBox schemas (@fastify/swagger collects them as routes are
 * added, so this must be registered before any route). Response schemas are documentation: the
 * app's serializer is plain JSON.stringify, so a documented response never strips a field.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Vigil operator API",
        version: VERSION,
        description:
          'The gateway\'s HTTP API. Errors are `{"error":{"code","message"}}` with stable `VIGIL_E_*` codes.',
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
          apiKey: { type: "apiKey", in: "header", name: "authorization", description: "`ApiKey <key>`" },
          apiKeyHeader: { type: "apiKey", in: "header", name: "x-api-key" },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const access = route.config?.access;
      const own = (schema ?? {}) as FastifySchema & { description?: string };
      const doc = accessDoc(access);
      const description = [own.description, doc.description].filter((d) => typeof d === "string").join(" ");
      return { schema: { ...own, ...doc, ...(description ? { description } : {}) }, url };
    },
  });
  app.get(OPENAPI_PATH, { config: { access: PUBLIC }, schema: { hide: true } }, async (_request, reply) =>
    reply.header("cache-control", "no-cache").send(app.swagger()),
  );
}
