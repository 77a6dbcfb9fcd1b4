import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { PersonIdSchema, type EnrollArgs, EnrollArgsSchema } from "../../watchlist/watchlist-schemas.js";
import type { WatchlistService } from "../../watchlist/watchlist-service.js";
import { role, userOf } from "../route-access.js";
import { EXPENSIVE } from "../expensive-routes.js";
import { FacePreviewBodySchema, FacePreviewSchema } from "./watchlist-preview-schemas.js";
import { EnrolledResponse, WatchlistResponse } from "./admin-responses.js";

export interface WatchlistRouteDeps {
  readonly watchlist: WatchlistService;
  /** Enrolment bodies carry base64 photos: their own limit, above the API's default. */
  readonly enrollBodyLimitBytes: number;
}

/**
 * The watchlist for supervisors: enrol a person from photos, list persons (never embeddings),
 * delete a person with their embeddings. Every change is audited by the service.
 */
export function registerWatchlistRoutes(app: FastifyInstance, deps: WatchlistRouteDeps): void {
  const supervisor = { access: role("supervisor") };

  app.post<{ Body: EnrollArgs }>(
    "/v1/watchlist",
    {
      config: supervisor,
      bodyLimit: deps.enrollBodyLimitBytes,
      schema: { body: EnrollArgsSchema, response: { 201: EnrolledResponse } },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await deps.watchlist.enroll(request.body, { actor: userOf(request).username, source: request.ip })),
  );

  app.post<{ Body: { photo: string } }>(
    "/v1/watchlist/face-preview",
    {
      config: { ...supervisor, limit: EXPENSIVE.facePreview },
      bodyLimit: deps.enrollBodyLimitBytes,
      schema: { body: FacePreviewBodySchema, response: { 200: FacePreviewSchema } },
    },
    async (request) => deps.watchlist.preview(request.body.photo),
  );

  app.get("/v1/watchlist", { config: supervisor, schema: { response: { 200: WatchlistResponse } } }, async () => ({
    persons: deps.watchlist.list(),
    status: deps.watchlist.status,
  }));

  app.delete<{ Params: { id: string } }>(
    "/v1/watchlist/:id",
    { config: supervisor, schema: { params: Type.Object({ id: PersonIdSchema }) } },
    async (request) =>
      deps.watchlist.delete(request.params.id, { actor: userOf(request).username, source: request.ip }),
  );
}
