import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { LatestFrames } from "../../ingest/snapshot-cache.js";
import { role } from "../route-access.js";

export interface CameraSnapshotRouteDeps {
  readonly snapshots: LatestFrames;
  readonly cameraExists: (id: string) => boolean;
}

const Params = Type.Object({ id: Type.String({ pattern: "^[a-z0-9_-]{1,64}$" }) });

/**
 * `GET /v1/cameras/:id/snapshot.jpg` (viewer): the camera's latest JPEG as it came from the main
 * stream (or as a push camera uploaded it). Never cached: the next request must see the next frame.
 * The capture time travels in `X-Captured-At` (ISO 8601) so a client can tell a stale image.
 */
export function registerCameraSnapshotRoute(app: FastifyInstance, deps: CameraSnapshotRouteDeps): void {
  app.get<{ Params: { id: string } }>(
    "/v1/cameras/:id/snapshot.jpg",
    { config: { access: role("viewer") }, schema: { params: Params } },
    async (request, reply) => {
      const { id } = request.params;
      if (!deps.cameraExists(id)) throw new VigilError(ErrorCodes.CAMERA_UNKNOWN, `no camera ${id}`);
      const latest = deps.snapshots.latestJpeg(id);
      if (!latest) throw new VigilError(ErrorCodes.SNAPSHOT_UNAVAILABLE, `camera ${id} has no snapshot yet`);
      return reply
        .header("content-type", "image/jpeg")
        .header("cache-control", "no-store")
        .header("x-captured-at", new Date(latest.capturedAt).toISOString())
        .send(latest.jpeg);
    },
  );
}
