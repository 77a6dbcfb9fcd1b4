/**
 * Editing a zone polygon in relative frame coordinates (0..1, origin top left), as the console's
 * zone editor does: every edit keeps each point inside the frame and rounds it to 4 decimals (a
 * tenth of a pixel on a 4K frame), so what is saved is what the config schema accepts. Pure.
 */
export type Point = readonly [number, number];
export type Polygon = readonly Point[];

/** The config's limits (ZoneSchema): 3 to 64 points. */
export const MIN_POINTS = 3;
export const MAX_POINTS = 64;

export function clampUnit(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.round(Math.min(1, Math.max(0, v)) * 10_000) / 10_000;
}

export function point(x: number, y: number): Point {
  return [clampUnit(x), clampUnit(y)];
}

/** A point of a picture shown in a box (pixels) as relative coordinates. */
export function relativePoint(
  clientX: number,
  clientY: number,
  box: { left: number; top: number; width: number; height: number },
): Point {
  return point(
    box.width > 0 ? (clientX - box.left) / box.width : 0,
    box.height > 0 ? (clientY - box.top) / box.height : 0,
  );
}

/** Point `i` moved to (x, y); other points untouched. */
export function movePoint(poly: Polygon, i: number, x: number, y: number): Polygon {
  return poly.map((p, k) => (k === i ? point(x, y) : p));
}

/** Point `i` nudged by (dx, dy), as the arrow keys do. */
export function nudgePoint(poly: Polygon, i: number, dx: number, dy: number): Polygon {
  const p = poly[i];
  return p ? movePoint(poly, i, p[0] + dx, p[1] + dy) : poly;
}

/** A new point after point `after` (-1: at the start); refused past MAX_POINTS. */
export function insertPoint(poly: Polygon, after: number, p: Point): Polygon {
  if (poly.length >= MAX_POINTS) return poly;
  const at = Math.max(0, Math.min(poly.length, after + 1));
  return [...poly.slice(0, at), point(p[0], p[1]), ...poly.slice(at)];
}

export function removePoint(poly: Polygon, i: number): Polygon {
  return poly.filter((_, k) => k !== i);
}

/** Why a polygon cannot be saved, or undefined. */
export function polygonProblem(poly: Polygon): string | undefined {
  if (poly.length < MIN_POINTS) return `needs at least ${MIN_POINTS} points (has ${poly.length})`;
  if (poly.length > MAX_POINTS) return `has more than ${MAX_POINTS} points`;
  return undefined;
}

/** A default zone to start from: a square in the middle of the picture. */
export function starterPolygon(): Polygon {
  return [point(0.3, 0.3), point(0.7, 0.3), point(0.7, 0.7), point(0.3, 0.7)];
}
