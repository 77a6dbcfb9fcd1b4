/**
 * Which parts of a working-resolution frame the detector looks at. Pure, so it is property-tested.
 *
 * A wide camera's frame letterboxed whole into a 416x416 model shrinks a distant person below what
 * the model can find. Instead the model runs on square regions cut from the frame at (or near) its
 * native pixels, placed over what moved and what is being tracked; a whole-frame pass at a low
 * rate catches what neither shows. Regions cost a model run each, so they are merged where that
 * does not shrink the pixels, and capped.
 */

/** A rectangle in frame pixels (integers, `x + width <= frame width`). */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Region extends PixelRect {
  /** `crop`: a square cut at near-native scale; `full`: the whole frame, letterboxed. */
  readonly kind: "crop" | "full";
}

export interface RegionPlanInput {
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** The model's square input side (the smaller side of a non-square input). */
  readonly modelSize: number;
  /** What must be looked at: motion and tracked objects, in frame pixels. */
  readonly boxes: readonly PixelRect[];
  /** Most model runs per frame, the whole-frame pass included. */
  readonly maxRegions: number;
  /** Largest region side as a multiple of the model input (a region that big is scaled down). */
  readonly maxScale: number;
  /** The low-rate whole-frame pass is due. */
  readonly fullFrame: boolean;
}

/** The smallest and largest side a crop region may have in this frame. */
export function regionSides(i: Pick<RegionPlanInput, "frameWidth" | "frameHeight" | "modelSize" | "maxScale">): {
  min: number;
  max: number;
} {
  const fit = Math.min(i.frameWidth, i.frameHeight);
  const min = Math.min(i.modelSize, fit);
  return { min, max: Math.max(min, Math.min(Math.floor(i.modelSize * Math.max(1, i.maxScale)), fit)) };
}

interface Cluster {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Boxes in it: the clusters kept when the cap bites are the busiest. */
  weight: number;
}

const side = (c: Cluster, min: number): number => Math.max(min, c.x2 - c.x1, c.y2 - c.y1);
const union = (a: Cluster, b: Cluster): Cluster => ({
  x1: Math.min(a.x1, b.x1),
  y1: Math.min(a.y1, b.y1),
  x2: Math.max(a.x2, b.x2),
  y2: Math.max(a.y2, b.y2),
  weight: a.weight + b.weight,
});

/** The square of `s` pixels around a cluster, moved inside the frame; it still contains the cluster. */
export function squareAround(
  c: { x1: number; y1: number; x2: number; y2: number },
  s: number,
  frameWidth: number,
  frameHeight: number,
): PixelRect {
  const place = (lo: number, hi: number, limit: number): number =>
    Math.min(Math.max(0, Math.floor((lo + hi - s) / 2)), limit - s);
  return { x: place(c.x1, c.x2, frameWidth), y: place(c.y1, c.y2, frameHeight), width: s, height: s };
}

function overlaps(a: PixelRect, b: PixelRect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * The regions for one frame: every box is inside a crop region or the frame has a full pass.
 * 1. Boxes, clipped to the frame, become clusters; a box larger than the largest crop can only be
 *    seen whole in the full pass (it is big, so the full pass's scale suits it).
 * 2. Two clusters merge when the merged square is no larger than the larger of the two (free: no
 *    pixel is shrunk more), or when their squares overlap and the merged one still fits: the
 *    same pixels are not run twice.
 * 3. Over the cap, the pair whose merged square is smallest merges first; when nothing fits, the
 *    busiest clusters keep a crop and the full pass covers the rest.
 * 4. A frame the model can take whole at no more than `maxScale` shrink gets one full pass instead
 *    of two or more runs.
 */
export function planRegions(i: RegionPlanInput): Region[] {
  const W = i.frameWidth;
  const H = i.frameHeight;
  const { min, max } = regionSides(i);
  const cap = Math.max(1, Math.floor(i.maxRegions));
  let full = i.fullFrame;
  let clusters: Cluster[] = [];
  for (const b of i.boxes) {
    const x1 = Math.max(0, Math.floor(b.x));
    const y1 = Math.max(0, Math.floor(b.y));
    const x2 = Math.min(W, Math.ceil(b.x + b.width));
    const y2 = Math.min(H, Math.ceil(b.y + b.height));
    if (!(x2 > x1 && y2 > y1)) continue;
    const c = { x1, y1, x2, y2, weight: 1 };
    if (side(c, min) > max) full = true;
    else clusters.push(c);
  }
  const free = (a: Cluster, b: Cluster, merged: number): boolean =>
    merged <= Math.max(side(a, min), side(b, min)) || overlaps(squareOf(a, min, W, H), squareOf(b, min, W, H));
  const budget = (): number => Math.max(0, cap - (full ? 1 : 0));
  clusters = mergeWhile(clusters, min, max, free);
  while (clusters.length > budget()) {
    const before = clusters.length;
    clusters = mergeWhile(mergeCheapest(clusters, min, max), min, max, free);
    if (clusters.length === before) {
      // Nothing fits together: the full pass covers what loses its crop.
      full = true;
      clusters = [...clusters].sort((a, b) => b.weight - a.weight).slice(0, budget());
    }
  }
  const whole: Region = { kind: "full", x: 0, y: 0, width: W, height: H };
  // A small frame (a substream) that the model takes whole at no more than the largest crop's
  // shrink: one pass sees everything at least as sharp as merged crops would, for one run.
  if (clusters.length + (full ? 1 : 0) > 1 && Math.max(W, H) <= i.modelSize * Math.max(1, i.maxScale)) return [whole];
  const regions: Region[] = clusters.map((c) => ({ kind: "crop", ...squareOf(c, min, W, H) }));
  if (full) regions.push(whole);
  return regions;
}

function squareOf(c: Cluster, min: number, W: number, H: number): PixelRect {
  return squareAround(c, side(c, min), W, H);
}

/** Merges pairs the predicate allows (and whose merged square fits) until none is left. */
function mergeWhile(
  clusters: Cluster[],
  min: number,
  max: number,
  ok: (a: Cluster, b: Cluster, mergedSide: number) => boolean,
): Cluster[] {
  const out = [...clusters];
  for (let changed = true; changed;) {
    changed = false;
    for (let a = 0; a < out.length && !changed; a++) {
      for (let b = a + 1; b < out.length && !changed; b++) {
        const ca = out[a] as Cluster;
        const cb = out[b] as Cluster;
        const merged = union(ca, cb);
        const s = side(merged, min);
        if (s <= max && ok(ca, cb, s)) {
          out.splice(b, 1);
          out[a] = merged;
          changed = true;
        }
      }
    }
  }
  return out;
}

/** Merges the pair whose merged square is smallest, if any fits. */
function mergeCheapest(clusters: Cluster[], min: number, max: number): Cluster[] {
  let best: { a: number; b: number; s: number } | undefined;
  for (let a = 0; a < clusters.length; a++) {
    for (let b = a + 1; b < clusters.length; b++) {
      const s = side(union(clusters[a] as Cluster, clusters[b] as Cluster), min);
      if (s <= max && (!best || s < best.s)) best = { a, b, s };
    }
  }
  if (!best) return clusters;
  const out = [...clusters];
  out[best.a] = union(out[best.a] as Cluster, out[best.b] as Cluster);
  out.splice(best.b, 1);
  return out;
}
