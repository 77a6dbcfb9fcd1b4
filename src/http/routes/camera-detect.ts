import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { role } from "../route-access.js";
import { EXPENSIVE } from "../expensive-routes.js";

/** The preview's answer, as `vigil detect --json` prints it (compose/detection-preview.ts). */
const Box = Type.Object({ x1: Type.Number(), y1: Type.Number(), x2: Type.Number(), y2: Type.Number() });
const Region = Type.Object({
  kind: Type.Union([Type.Literal("crop"), Type.Literal("full")]),
  x: Type.Number(),
  y: Type.Number(),
  width: Type.Number(),
  height: Type.Number(),
});
export const DetectionPreviewSchema = Type.Object({
  camera: Type.Union([Type.String(), Type.Null()]),
  working_size: Type.Object({ width: Type.Integer(), height: Type.Integer() }),
  passes: Type.Array(
    Type.Object({ regions: Type.Array(Region), detections: Type.Integer(), inference_ms: Type.Number() }),
    { description: "the whole-frame pass, then the crops placed around what it found (frame-normalised regions)" },
  ),
  detections: Type.Array(
    Type.Object({
      label: Type.String(),
      score: Type.Number(),
      box: Box,
      keypoints: Type.Optional(Type.Array(Type.Object({ x: Type.Number(), y: Type.Number() }))),
      zones: Type.Array(Type.Object({ zone: Type.String(), rules: Type.Array(Type.String()) }), {
        description: "the camera's zones the detection stands in, and the zone rules it would feed",
      }),
    }),
  ),
});

const Params = Type.Object({ id: Type.String({ pattern: "^[a-z0-9_-]{1,64}$" }) });
/** A JPEG of up to 2 MiB, base64 (the frames route's size limit, a third larger in base64). */
const Body = Type.Object(
  {
    jpeg_base64: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 2_800_000,
        description: "a JPEG to run instead of the camera's latest frame",
      }),
    ),
  },
  { additionalProperties: false },
);

export interface CameraDetectRouteDeps {
  /** Runs the preview on the camera's latest frame, or on the JPEG given; throws coded errors. */
  readonly preview: (cameraId: string, jpeg: Buffer | undefined) => Promise<unknown>;
}

/**
 * `POST /v1/cameras/:id/detect` (admin): the detection preview. The camera's detector, region
 * settings, zones and rules on its newest frame (or an uploaded JPEG): where the detector looked,
 * what it found, and which zones and rules each find would feed. Nothing is tracked, counted or
 * raised. Model runs are costly on a small box, so the route has the expensive routes' limit.
 */
export function registerCameraDetectRoute(app: FastifyInstance, deps: CameraDetectRouteDeps): void {
  app.post<{ Params: { id: string }; Body: { jpeg_base64?: string } }>(
    "/v1/cameras/:id/detect",
    // The one JSON route that carries a picture: its own body limit, the API's small one elsewhere.
    {
      bodyLimit: 2_900_000,
      config: { access: role("admin"), limit: EXPENSIVE.detectPreview },
      schema: { params: Params, body: Body, response: { 200: DetectionPreviewSchema } },
    },
    async (request) =>
      deps.preview(
        request.params.id,
        request.body?.jpeg_base64 === undefined ? undefined : Buffer.from(request.body.jpeg_base64, "base64"),
      ),
  );
}
