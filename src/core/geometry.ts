// Boxes are corner-form and normalised (0..1 of the image they refer to), so they survive a
// change of resolution between the model input and the source frame.
/** A point in whatever space its user states (normalised, or pixels with centres on integers). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function boxArea(b: Box): number {
  // Inverted boxes count as empty rather than negative, so they can never inflate a union.
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

export function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (!(iw > 0 && ih > 0)) return 0;
  const inter = iw * ih;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

export function clampBox(b: Box): Box {
  return { x1: clamp01(b.x1), y1: clamp01(b.y1), x2: clamp01(b.x2), y2: clamp01(b.y2) };
}
