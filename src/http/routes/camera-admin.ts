import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { CameraSchema } from "../../config/schema.js";
import type { CameraRegistry } from "../../ingest/camera-registry.js";
import {
  type AddCamera,
  AddCameraSchema,
  type CameraPatch,
  CameraPatchSchema,
  type RegisteredCamera,
} from "../../ingest/camera-registry-rules.js";
import { registeredCameraView } from "../../ingest/camera-registry-view.js";
import { role, userOf } from "../route-access.js";
import type { CameraView } from "./cameras.js";
import { CameraRemovedResponse, CameraViewSchema } from "./camera-responses.js";

export interface CameraAdminRouteDeps {
  readonly registry: CameraRegistry;
  /** Each camera with its live state, as `GET /v1/cameras` shows it. */
  readonly cameras: () => CameraView[];
}

const Params = Type.Object({ id: CameraSchema.properties.id });

/**
 * `POST /v1/cameras`, `PATCH /v1/cameras/:id`, `DELETE /v1/cameras/:id` (admin): cameras added,
 * changed and removed while the daemon runs; only that camera starts, restarts or stops. Cameras
 * from the config file answer 409 VIGIL_E_CAMERA_PROVISIONED. The registry audits each change.
 */
export function registerCameraAdminRoutes(app: FastifyInstance, deps: CameraAdminRouteDeps): void {
  const admin = { access: role("admin") };
  const viewOf = (c: RegisteredCamera): unknown =>
    deps.cameras().find((v) => v.id === c.camera.id) ?? registeredCameraView(c);

  app.post<{ Body: AddCamera }>(
    "/v1/cameras",
    { config: admin, schema: { body: AddCameraSchema, response: { 201: CameraViewSchema } } },
    async (request, reply) => {
      const added = await deps.registry.add(request.body, { actor: userOf(request).username, source: request.ip });
      return reply.status(201).send(viewOf(added));
    },
  );

  app.patch<{ Params: { id: string }; Body: CameraPatch }>(
    "/v1/cameras/:id",
    { config: admin, schema: { params: Params, body: CameraPatchSchema, response: { 200: CameraViewSchema } } },
    async (request) =>
      viewOf(
        await deps.registry.update(request.params.id, request.body, {
          actor: userOf(request).username,
          source: request.ip,
        }),
      ),
  );

  app.delete<{ Params: { id: string } }>(
    "/v1/cameras/:id",
    { config: admin, schema: { params: Params, response: { 200: CameraRemovedResponse } } },
    async (request) => {
      const removed = await deps.registry.remove(request.params.id, {
        actor: userOf(request).username,
        source: request.ip,
      });
      return { removed: removed.camera.id, revoked_keys: removed.revoked_keys };
    },
  );
}
