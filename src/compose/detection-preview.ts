import type { ZoneRule } from "../analytics/rules/candidate.js";
import { type ZoneHit, zoneHits } from "../analytics/zone-hits.js";
import type { CameraConfig } from "../config/schema.js";
import type { Detection, Frame, FrameRegion } from "../contract/detection.js";
import type { RegionDetector } from "../inference/regions/region-detector.js";
import { regionSettingsOf } from "../inference/regions/region-settings.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { decodeJpegToWorkingSize, looksLikeJpeg } from "../ingest/jpeg-decoder.js";
import { workingSizeOf } from "../ingest/working-size.js";

export interface DetectionPreview {
  readonly camera: string | null;
  readonly working_size: { readonly width: number; readonly height: number };
  /** The whole-frame pass, then the crops around what it found, as on a camera's first frames. */
  readonly passes: ReadonlyArray<{
    readonly regions: readonly FrameRegion[];
    readonly detections: number;
    readonly inference_ms: number;
  }>;
  /** The second pass's detections (the first's when the second found none), with the zones and rules each would feed. */
  readonly detections: ReadonlyArray<Detection & { readonly zones: readonly ZoneHit[] }>;
}

/**
 * The detection preview an installer asks for (`vigil detect`, `POST /v1/cameras/:id/detect`):
 * the camera's detector on one picture with the camera's region settings, and for each detection
 * which of the camera's zones it stands in and which zone rules it would feed.
 */
export async function detectionPreview(
  detector: RegionDetector,
  frame: Frame,
  camera: CameraConfig | undefined,
  rules: readonly ZoneRule[],
): Promise<DetectionPreview> {
  const passes = await detector.preview(frame, regionSettingsOf(camera));
  const final = passes[1].detections.length > 0 ? passes[1] : passes[0];
  return {
    camera: camera?.id ?? null,
    working_size: { width: frame.width, height: frame.height },
    passes: passes.map((p) => ({
      regions: p.regions,
      detections: p.detections.length,
      inference_ms: Math.round(p.inferenceMs * 100) / 100,
    })),
    detections: final.detections.map((d) => ({
      ...d,
      zones: camera ? zoneHits(d, camera.id, camera.zones ?? [], rules) : [],
    })),
  };
}

export interface CameraPreviewDeps {
  readonly detector: RegionDetector;
  /** The cameras as running now (config and runtime-added). */
  readonly cameras: () => readonly CameraConfig[];
  /** A camera's newest frame at its working resolution (the motion gate keeps it). */
  readonly latest: (cameraId: string) => Frame | undefined;
  /** The zone rules now (runtime cameras' rules change while the daemon runs). */
  readonly rules: () => readonly ZoneRule[];
}

/** The preview of `POST /v1/cameras/:id/detect`: the camera's newest frame, or a JPEG decoded at its working size. */
export function cameraPreview(
  deps: CameraPreviewDeps,
): (cameraId: string, jpeg: Buffer | undefined) => Promise<DetectionPreview> {
  return async (cameraId, jpeg) => {
    const camera = deps.cameras().find((c) => c.id === cameraId);
    if (!camera) throw new VigilError(ErrorCodes.CAMERA_UNKNOWN, `no camera ${cameraId}`);
    let frame = deps.latest(cameraId);
    if (jpeg) {
      if (!looksLikeJpeg(jpeg))
        throw new VigilError(ErrorCodes.VALIDATION, "/jpeg_base64: not a JPEG image", {
          details: { field: "/jpeg_base64" },
        });
      const d = await decodeJpegToWorkingSize(jpeg, workingSizeOf(camera.detect));
      frame = {
        cameraId,
        index: 0,
        capturedAt: Date.now(),
        width: d.width,
        height: d.height,
        rgb: d.rgb,
        source: d.source,
      };
    }
    if (!frame)
      throw new VigilError(
        ErrorCodes.SNAPSHOT_UNAVAILABLE,
        `camera ${cameraId} has delivered no frame yet; upload a JPEG instead`,
      );
    return detectionPreview(deps.detector, frame, camera, deps.rules());
  };
}
