import type { Box } from "../core/geometry.js";
import { iou } from "../core/geometry.js";

/** Score order, highest first, ties in input order; NaN scores cannot be ranked and are dropped. */
function ranked<T extends { score: number }>(dets: readonly T[]): T[] {
  return dets
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => !Number.isNaN(d.score))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .map(({ d }) => d);
}

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
  const kept: T[] = [];
  for (const d of ranked(dets)) {
    if (kept.length >= maxDetections) break;
    if (kept.every((k) => iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}

export interface ClassAwareNmsOptions {
  readonly iouThreshold: number;
  /** Total detections kept, across classes. */
  readonly maxDetections?: number;
  /**
   * Only the best `preTopK` candidates enter NMS. Greedy NMS costs candidates x kept, so a
   * low-threshold frame with thousands of candidates is bounded here; anything past the cut
   * could only have been kept after all better ones, which rarely matters and is always ranked lower.
   */
  readonly preTopK?: number;
}

/**
 * Greedy NMS within each class: boxes of different classes never suppress each other (a person
 * on a bicycle keeps both). Output is in score order across classes, like `nms`.
 */
export function classAwareNms<T extends { box: Box; score: number; classId: number }>(
  dets: readonly T[],
  opts: ClassAwareNmsOptions,
): T[] {
  const max = opts.maxDetections ?? Number.POSITIVE_INFINITY;
  const order = ranked(dets).slice(0, opts.preTopK ?? Number.POSITIVE_INFINITY);
  const keptByClass = new Map<number, Box[]>();
  const kept: T[] = [];
  for (const d of order) {
    if (kept.length >= max) break;
    let same = keptByClass.get(d.classId);
    if (!same) {
      same = [];
      keptByClass.set(d.classId, same);
    }
    if (same.every((b) => iou(b, d.box) <= opts.iouThreshold)) {
      same.push(d.box);
      kept.push(d);
    }
  }
  return kept;
}
