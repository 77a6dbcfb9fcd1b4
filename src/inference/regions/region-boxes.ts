import type { Detection } from "../../contract/detection.js";
import { boxArea, type Box, iou } from "../../core/geometry.js";
import type { PixelRect } from "./region-plan.js";

/**
 * From a region's detections to the frame's. Pure, so it is property-tested: boxes come back from
 * region-normalised to frame-normalised coordinates, and the same object seen by two regions (or a
 * region and the full pass) is reported once.
 */

/** A region-normalised point in frame-normalised coordinates. */
function toFrame(
  x: number,
  y: number,
  r: PixelRect,
  frameWidth: number,
  frameHeight: number,
): { x: number; y: number } {
  return { x: (r.x + x * r.width) / frameWidth, y: (r.y + y * r.height) / frameHeight };
}

/** A detection made on a region, with its box and keypoints in frame-normalised coordinates. */
export function regionDetectionToFrame(d: Detection, r: PixelRect, frameWidth: number, frameHeight: number): Detection {
  const a = toFrame(d.box.x1, d.box.y1, r, frameWidth, frameHeight);
  const b = toFrame(d.box.x2, d.box.y2, r, frameWidth, frameHeight);
  const mapped: Detection = { label: d.label, score: d.score, box: { x1: a.x, y1: a.y, x2: b.x, y2: b.y } };
  return d.keypoints
    ? { ...mapped, keypoints: d.keypoints.map((p) => toFrame(p.x, p.y, r, frameWidth, frameHeight)) }
    : mapped;
}

/**
 * True when a region's box runs into an edge of the region that is not an edge of the frame: the
 * object goes on beyond the crop, so the box is likely cut short and another region (or the full
 * pass) may hold the whole object. `tolerance` is region-normalised.
 */
export function cutByRegionEdge(
  box: Box,
  r: PixelRect,
  frameWidth: number,
  frameHeight: number,
  tolerance = 0.01,
): boolean {
  return (
    (box.x1 <= tolerance && r.x > 0) ||
    (box.y1 <= tolerance && r.y > 0) ||
    (box.x2 >= 1 - tolerance && r.x + r.width < frameWidth) ||
    (box.y2 >= 1 - tolerance && r.y + r.height < frameHeight)
  );
}

export interface RegionDetection {
  /** In frame-normalised coordinates. */
  readonly detection: Detection;
  /** The box runs into an inner region edge (see cutByRegionEdge). */
  readonly cut: boolean;
}

/** Share of the smaller box covered by the other: a cut-off half of a person inside the whole one. */
function overlapOfSmaller(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (!(iw > 0 && ih > 0)) return 0;
  const smaller = Math.min(boxArea(a), boxArea(b));
  return smaller > 0 ? (iw * ih) / smaller : 0;
}

export interface MergeOptions {
  /** IoU above which two boxes of one label are one object (the detector's NMS threshold). */
  readonly iouThreshold: number;
  /** Share of the smaller box inside the larger above which a cut box is the same object. */
  readonly containment?: number;
  readonly maxDetections?: number;
}

/**
 * NMS in frame coordinates across regions, per label: whole boxes win over cut ones, then the
 * higher score. A box is dropped when it overlaps a kept one of its label by more than the IoU
 * threshold, or, when either is cut, lies mostly inside it (the cut half of a person at a
 * region's border inside the whole person from the neighbouring region).
 */
export function mergeRegionDetections(found: readonly RegionDetection[], o: MergeOptions): Detection[] {
  const containment = o.containment ?? 0.6;
  const ranked = found
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => !Number.isNaN(f.detection.score))
    .sort((a, b) => Number(a.f.cut) - Number(b.f.cut) || b.f.detection.score - a.f.detection.score || a.i - b.i);
  const kept: RegionDetection[] = [];
  for (const { f } of ranked) {
    if (kept.length >= (o.maxDetections ?? Number.POSITIVE_INFINITY)) break;
    const duplicate = kept.some(
      (k) =>
        k.detection.label === f.detection.label &&
        (iou(k.detection.box, f.detection.box) > o.iouThreshold ||
          ((k.cut || f.cut) && overlapOfSmaller(k.detection.box, f.detection.box) > containment)),
    );
    if (!duplicate) kept.push(f);
  }
  return kept.sort((a, b) => b.detection.score - a.detection.score).map((k) => k.detection);
}
