/**
 * Face alignment: a least-squares similarity transform (Umeyama, without reflection) from the
 * detector's keypoints to the embedding model's template (face-templates.ts), and a bilinear warp
 * of the frame into that crop. Pure: no I/O, no allocation beyond the returned crop.
 *
 * Coordinates are pixel coordinates with pixel centres on integers (OpenCV's warpAffine and
 * dlib's convention, in which the templates are defined).
 */

import type { Point } from "../../core/geometry.js";
import type { FaceTemplate } from "./face-templates.js";

/** `[a, -b, tx; b, a, ty]`: x' = a x - b y + tx, y' = b x + a y + ty (scale s = hypot(a, b)). */
export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  if (!(d > 0)) throw new RangeError("a similarity with zero scale has no inverse");
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/**
 * The similarity that best maps `src` onto `dst` in the least-squares sense. In 2-D Umeyama's
 * SVD reduces to a closed form: the rotation angle is atan2 of the summed cross and dot products
 * of the centred points, the scale their magnitude over the source's spread.
 */
export function fitSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  if (src.length !== dst.length || src.length < 2)
    throw new RangeError(`need two or more point pairs, got ${src.length} and ${dst.length}`);
  const n = src.length;
  let mx = 0,
    my = 0,
    nx = 0,
    ny = 0;
  for (let i = 0; i < n; i++) {
    const p = src[i] as Point;
    const q = dst[i] as Point;
    mx += p.x;
    my += p.y;
    nx += q.x;
    ny += q.y;
  }
  mx /= n;
  my /= n;
  nx /= n;
  ny /= n;
  let dot = 0,
    cross = 0,
    spread = 0;
  for (let i = 0; i < n; i++) {
    const p = src[i] as Point;
    const q = dst[i] as Point;
    const px = p.x - mx,
      py = p.y - my,
      qx = q.x - nx,
      qy = q.y - ny;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    spread += px * px + py * py;
  }
  if (!(spread > 0) || !Number.isFinite(dot) || !Number.isFinite(cross))
    throw new RangeError("source points are degenerate (all equal or not finite)");
  const a = dot / spread;
  const b = cross / spread;
  return { a, b, tx: nx - (a * mx - b * my), ty: ny - (b * mx + a * my) };
}

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** rgb24, row-major. */
  readonly rgb: Uint8Array;
}

/**
 * Warps `image` into a `size`x`size` rgb24 crop with `toCrop` (image -> crop coordinates),
 * sampling bilinearly; what falls outside the image is black, as with warpAffine's default.
 */
export function warpSimilarity(
  image: RgbImage,
  toCrop: Similarity,
  size: number,
  out = new Uint8Array(size * size * 3),
): Uint8Array {
  const { width: w, height: h, rgb } = image;
  if (rgb.length !== w * h * 3) throw new RangeError(`image is ${w}x${h} but has ${rgb.length} bytes`);
  if (out.length !== size * size * 3) throw new RangeError(`output needs ${size * size * 3} bytes`);
  const inv = invertSimilarity(toCrop);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const sx = inv.a * u - inv.b * v + inv.tx;
      const sy = inv.b * u + inv.a * v + inv.ty;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (v * size + u) * 3;
      for (let c = 0; c < 3; c++) {
        const p00 = sample(rgb, w, h, x0, y0, c);
        const p10 = sample(rgb, w, h, x0 + 1, y0, c);
        const p01 = sample(rgb, w, h, x0, y0 + 1, c);
        const p11 = sample(rgb, w, h, x0 + 1, y0 + 1, c);
        const top = p00 + (p10 - p00) * fx;
        const bottom = p01 + (p11 - p01) * fx;
        out[o + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}

function sample(rgb: Uint8Array, w: number, h: number, x: number, y: number, c: number): number {
  if (x < 0 || y < 0 || x >= w || y >= h) return 0;
  return rgb[(y * w + x) * 3 + c] as number;
}

/**
 * Aligns one face: `keypoints` are the detector's first four (right eye, left eye, nose, mouth)
 * in the image's pixel coordinates. Returns the template-sized rgb24 crop and the transform used.
 */
export function alignFace(
  image: RgbImage,
  keypoints: readonly Point[],
  template: FaceTemplate,
): { crop: Uint8Array; transform: Similarity } {
  const n = template.points.length;
  if (keypoints.length < n) throw new RangeError(`need ${n} keypoints, got ${keypoints.length}`);
  const transform = fitSimilarity(keypoints.slice(0, n), template.points);
  return { crop: warpSimilarity(image, transform, template.size), transform };
}
