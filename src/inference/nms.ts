import type { Box } from "./geometry.js";
import { iou } from "./geometry.js";

/**
 * Greedy hard NMS. A detection is dropped when its IoU with an already kept one is strictly
 * above `iouThreshold`. Equal scores keep their input order so results are reproducible.
 * NaN scores cannot be ranked and are dropped.
 */
export function nms<T extends { box: Box; score: number }>(
  dets: readonly T[],
  iouThreshold: number,
  maxDetections = Number.POSITIVE_INFINITY,
): T[] {
  const order = dets
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => !Number.isNaN(d.score))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i);
  const kept: T[] = [];
  for (const { d } of order) {
    if (kept.length >= maxDetections) break;
    if (kept.every((k) => iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}
