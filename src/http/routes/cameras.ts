import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { role } from "../route-access.js";
import { CameraListResponse, CameraViewSchema } from "./camera-responses.js";

export interface CameraView {
  readonly id: string;
  readonly [field: string]: unknown;
}

const Params = Type.Object({ id: Type.String({ pattern: "^[a-z0-9_-]{1,64}$" }) });

/** `GET /v1/cameras` and `/v1/cameras/:id` (viewer): config, state and stats, no credentials. */
export function registerCameraRoutes(app: FastifyInstance, deps: { cameras: () => CameraView[] }): void {
  app.get(
    "/v1/cameras",
    { config: { access: role("viewer") }, schema: { response: { 200: CameraListResponse } } },
    async () => ({ cameras: deps.cameras() }),
  );
  app.get<{ Params: { id: string } }>(
    "/v1/cameras/:id",
    { config: { access: role("viewer") }, schema: { params: Params, response: { 200: CameraViewSchema } } },
    async (request) => {
      const camera = deps.cameras().find((c) => c.id === request.params.id);
      if (!camera) throw new VigilError(ErrorCodes.CAMERA_UNKNOWN, `no camera ${request.params.id}`);
      return camera;
    },
  );
}
