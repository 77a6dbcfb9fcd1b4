import type { Detection, Frame } from "../../contract/detection.js";
import { cropToInput, type RgbView } from "../regions/crop-image.js";
import { mergeRegionDetections, regionDetectionToFrame } from "../regions/region-boxes.js";
import type { PixelRect } from "../regions/region-plan.js";

/** A face detector as regions use it (FaceDetector): its input size, boxes mapped to `frame.source`. */
export interface FaceFinder {
  readonly inputWidth: number;
  readonly inputHeight: number;
  detect(frame: Frame): Promise<{ detections: Detection[]; inferenceMs?: number }>;
}

/** Faces overlapping this much are one face seen from two neighbouring head squares. */
const SAME_FACE_IOU = 0.3;

/**
 * Faces in parts of an image, normalised to the whole image. Each part is cut from the image's own
 * pixels and fitted to the face model's input; the boxes and keypoints come back to the image.
 * Camera frames (the head of each person, at working resolution) and enrolment photos (the whole
 * photo at the same working size) both go through here, so alignment samples the same kind of
 * pixels and a match threshold means the same on both.
 */
export async function facesInRegions(
  image: RgbView,
  regions: readonly PixelRect[],
  finder: FaceFinder,
  meta: Pick<Frame, "cameraId" | "index" | "capturedAt">,
): Promise<{ faces: Detection[]; inferenceMs: number }> {
  let inferenceMs = 0;
  const found = [];
  for (const r of regions) {
    const { rgb } = cropToInput(image, r, finder.inputWidth, finder.inputHeight);
    const result = await finder.detect({
      ...meta,
      width: finder.inputWidth,
      height: finder.inputHeight,
      rgb,
      source: { width: r.width, height: r.height },
    });
    inferenceMs += result.inferenceMs ?? 0;
    for (const d of result.detections)
      if (d.label === "face")
        found.push({ detection: regionDetectionToFrame(d, r, image.width, image.height), cut: false });
  }
  return { faces: mergeRegionDetections(found, { iouThreshold: SAME_FACE_IOU }), inferenceMs };
}
