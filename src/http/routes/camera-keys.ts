import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  type CreateKeyBody,
  CameraIdSchema,
  CreateKeyBodySchema,
  KeyIdSchema,
} from "../../auth/api-keys/api-key-schemas.js";
import type { ApiKeyService } from "../../auth/api-keys/api-key-service.js";
import { role, userOf } from "../route-access.js";
import { ApiKeyListResponse, CreatedApiKeyResponse } from "./camera-responses.js";

export interface CameraKeyRouteDeps {
  readonly keys: ApiKeyService;
}

const CameraParams = Type.Object({ id: CameraIdSchema });
const KeyParams = Type.Object({ keyId: KeyIdSchema });

/**
 * Camera API keys for admins: create (the key is in this one response, never cached), list
 * without secrets, revoke. Every change is audited by the service with the admin and address.
 */
export function registerCameraKeyRoutes(app: FastifyInstance, deps: CameraKeyRouteDeps): void {
  const admin = { access: role("admin") };

  app.post<{ Params: { id: string }; Body: CreateKeyBody }>(
    "/v1/cameras/:id/keys",
    {
      config: admin,
      schema: { params: CameraParams, body: CreateKeyBodySchema, response: { 201: CreatedApiKeyResponse } },
    },
    async (request, reply) => {
      const created = await deps.keys.create(
        { ...request.body, camera_id: request.params.id },
        { actor: userOf(request).username, source: request.ip },
      );
      return reply.status(201).header("cache-control", "no-store").send(created);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/cameras/:id/keys",
    { config: admin, schema: { params: CameraParams, response: { 200: ApiKeyListResponse } } },
    async (request) => ({
      api_keys: deps.keys.list(request.params.id),
    }),
  );

  app.delete<{ Params: { keyId: string } }>(
    "/v1/keys/:keyId",
    { config: admin, schema: { params: KeyParams } },
    async (request) => deps.keys.revoke(request.params.keyId, { actor: userOf(request).username, source: request.ip }),
  );
}
