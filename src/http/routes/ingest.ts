import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { looksLikeJpeg } from "../../ingest/jpeg-decoder.js";
import type { PushIngest } from "../../ingest/push-ingest.js";
import { camera, cameraOf } from "../route-access.js";

export interface IngestRouteDeps {
  readonly push: PushIngest;
  /** Queues a camera event for central (the outbox's `alerts` stream in the daemon). */
  readonly alert: (type: string, data: Record<string, unknown>) => Promise<{ id: string; seq: number }>;
  readonly frameLimitBytes: number;
}

const CameraParams = Type.Object({ cameraId: Type.String({ pattern: "^[a-z0-9_-]{1,64}$" }) });
const CameraEvent = Type.Object(
  {
    type: Type.String({ pattern: "^[a-z][a-z0-9_.]{0,63}$", description: "e.g. tamper, motion, io.input1" }),
    occurred_at: Type.Optional(Type.String({ format: "date-time", maxLength: 40 })),
    details: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 32 })),
  },
  { additionalProperties: false },
);

/** `/v1/ingest/:cameraId/*`: what push cameras send, each camera only as itself. */
export function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  // The JPEG parser and its frame-sized limit live in a scope of their own, around the frames route
  // only: on any other route an image/jpeg body is 415 and a large body 413, before it is read.
  void app.register(async (frames) => {
    frames.addContentTypeParser(
      "image/jpeg",
      { parseAs: "buffer", bodyLimit: deps.frameLimitBytes },
      (_request, body, done) => done(null, body),
    );
    frames.post<{ Params: { cameraId: string } }>(
      "/v1/ingest/:cameraId/frames",
      { config: { access: camera("frames:write") }, bodyLimit: deps.frameLimitBytes, schema: { params: CameraParams } },
      async (request, reply) => {
        const body = request.body;
        if (!Buffer.isBuffer(body))
          throw new VigilError(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "frames are sent as Content-Type: image/jpeg");
        if (!looksLikeJpeg(body))
          throw new VigilError(ErrorCodes.VALIDATION, "the body is not a JPEG image", { details: { field: "body" } });
        const outcome = await deps.push.submit(cameraOf(request).cameraId, body);
        return reply
          .status(202)
          .send(
            outcome.accepted
              ? { accepted: true, frame_index: outcome.frameIndex }
              : { accepted: false, reason: outcome.reason },
          );
      },
    );
  });

  app.post<{
    Params: { cameraId: string };
    Body: { type: string; occurred_at?: string; details?: Record<string, unknown> };
  }>(
    "/v1/ingest/:cameraId/events",
    { config: { access: camera("events:write") }, schema: { params: CameraParams, body: CameraEvent } },
    async (request, reply) => {
      const who = cameraOf(request);
      const envelope = await deps.alert("camera.event", {
        camera_id: who.cameraId,
        event: request.body.type,
        occurred_at: request.body.occurred_at ?? null,
        received_at: new Date().toISOString(),
        details: request.body.details ?? {},
        credential: { api_key_id: who.apiKeyId ?? null, cert_fingerprint: who.certFingerprint ?? null },
      });
      return reply.status(202).send({ accepted: true, id: envelope.id, seq: envelope.seq });
    },
  );
}
