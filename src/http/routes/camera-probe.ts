import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { InlineCredentialsSchema } from "../../ingest/camera-credentials.js";
import { ProbeInfoSchema } from "../../ingest/camera-probe-result.js";
import type { CameraRegistry } from "../../ingest/camera-registry.js";
import { EXPENSIVE } from "../expensive-routes.js";
import { role } from "../route-access.js";

/**
 * Only RTSP: the URL is whatever an admin (or a stolen admin token) types, and ffprobe would read
 * file:, concat:, http: or pipe: as happily. The registry then refuses userinfo in the URL.
 */
const ProbeBody = Type.Object(
  {
    url: Type.String({
      pattern: "^rtsps?://[^\\s]+$",
      maxLength: 2048,
      description: "rtsp:// or rtsps:// stream URL without credentials",
    }),
    credentials: Type.Optional(InlineCredentialsSchema),
  },
  { additionalProperties: false },
);

/**
 * `POST /v1/cameras/probe` (admin): a stream's codec, size and fps, read before the camera is
 * saved. Nothing is stored; failures are VIGIL_E_CAMERA_PROBE_FAILED with a generic reason.
 */
export function registerCameraProbeRoute(
  app: FastifyInstance,
  deps: { registry: Pick<CameraRegistry, "probe"> },
): void {
  app.post<{ Body: { url: string; credentials?: string } }>(
    "/v1/cameras/probe",
    {
      config: { access: role("admin"), limit: EXPENSIVE.cameraProbe },
      schema: { body: ProbeBody, response: { 200: ProbeInfoSchema } },
    },
    async (request) => deps.registry.probe(request.body.url, request.body.credentials),
  );
}
