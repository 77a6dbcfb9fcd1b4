import type { NormalizedBox } from "../contract/detection.js";
import type { Point } from "../core/geometry.js";

/** Box arithmetic on normalised boxes. Pure. */

export function area(b: NormalizedBox): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

/** Intersection over union, 0..1; 0 for boxes without area. */
export function iou(a: NormalizedBox, b: NormalizedBox): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = area(a) + area(b) - inter;
  return union <= 0 ? 0 : inter / union;
}

export function centre(b: NormalizedBox): Point {
  return { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 };
}

/** Where an object stands on the ground: zones judge presence by it, not by the box's middle. */
export function bottomCentre(b: NormalizedBox): Point {
  return { x: (b.x1 + b.x2) / 2, y: b.y2 };
}

export function shift(b: NormalizedBox, dx: number, dy: number): NormalizedBox {
  return { x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy };
}

/** The longer side: the scale against which "did not move" is judged. */
export function size(b: NormalizedBox): number {
  return Math.max(b.x2 - b.x1, b.y2 - b.y1);
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
