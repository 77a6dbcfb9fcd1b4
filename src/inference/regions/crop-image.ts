import { computeLetterbox, type Letterbox } from "../../core/letterbox.js";
import type { PixelRect } from "./region-plan.js";

export interface RgbView {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/**
 * Cuts a rectangle out of an rgb24 image and fits it into the model's input the way ffmpeg's
 * letterbox does (same geometry, `computeLetterbox`; black padding), so the detectors map boxes
 * back exactly as they did for a letterboxed frame, here to the rectangle.
 * - a crop at the input's own size is row copies (the usual region: native pixels);
 * - shrinking by 1.5x or more averages the source pixels under each output pixel (the full pass
 *   shrinks a 1280-wide frame about 3x; point sampling would alias thin limbs away);
 * - anything else, bilinear.
 * `out` is reused when given: a detector's per-region buffer, so no frame allocates.
 */
export function cropToInput(
  image: RgbView,
  rect: PixelRect,
  inputWidth: number,
  inputHeight: number,
  out?: Buffer,
): { rgb: Buffer; letterbox: Letterbox } {
  if (
    rect.x < 0 ||
    rect.y < 0 ||
    rect.width <= 0 ||
    rect.height <= 0 ||
    rect.x + rect.width > image.width ||
    rect.y + rect.height > image.height
  ) {
    throw new RangeError(
      `region ${rect.x},${rect.y} ${rect.width}x${rect.height} is outside the ${image.width}x${image.height} image`,
    );
  }
  const lb = computeLetterbox(rect.width, rect.height, inputWidth, inputHeight);
  const dst = out ?? Buffer.alloc(inputWidth * inputHeight * 3);
  if (dst.length !== inputWidth * inputHeight * 3)
    throw new RangeError(`output buffer of ${dst.length} bytes is not ${inputWidth}x${inputHeight}x3`);
  if (lb.scaledWidth !== inputWidth || lb.scaledHeight !== inputHeight) dst.fill(0);
  const ratio = rect.width / lb.scaledWidth;
  if (lb.scaledWidth === rect.width && lb.scaledHeight === rect.height) copyRows(image, rect, dst, lb, inputWidth);
  else if (ratio >= 1.5) areaAverage(image, rect, dst, lb, inputWidth);
  else bilinear(image, rect, dst, lb, inputWidth);
  return { rgb: dst, letterbox: lb };
}

function copyRows(image: RgbView, r: PixelRect, dst: Buffer, lb: Letterbox, dstWidth: number): void {
  const src = image.rgb;
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * image.width + r.x) * 3;
    dst.set(src.subarray(from, from + r.width * 3), ((lb.padY + y) * dstWidth + lb.padX) * 3);
  }
}

/** Integer source spans per output column or row: [start, end) with at least one pixel. */
function spans(origin: number, length: number, outLength: number): Int32Array {
  const s = new Int32Array(outLength + 1);
  for (let i = 0; i <= outLength; i++) s[i] = origin + Math.floor((i * length) / outLength);
  for (let i = 1; i <= outLength; i++) if ((s[i] as number) <= (s[i - 1] as number)) s[i] = (s[i - 1] as number) + 1;
  return s;
}

function areaAverage(image: RgbView, r: PixelRect, dst: Buffer, lb: Letterbox, dstWidth: number): void {
  const src = image.rgb;
  const xs = spans(r.x, r.width, lb.scaledWidth);
  const ys = spans(r.y, r.height, lb.scaledHeight);
  const maxX = r.x + r.width;
  const maxY = r.y + r.height;
  for (let oy = 0; oy < lb.scaledHeight; oy++) {
    const y0 = ys[oy] as number;
    const y1 = Math.min(ys[oy + 1] as number, maxY);
    let o = ((lb.padY + oy) * dstWidth + lb.padX) * 3;
    for (let ox = 0; ox < lb.scaledWidth; ox++) {
      const x0 = xs[ox] as number;
      const x1 = Math.min(xs[ox + 1] as number, maxX);
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let y = y0; y < y1; y++) {
        let p = (y * image.width + x0) * 3;
        for (let x = x0; x < x1; x++, p += 3) {
          red += src[p] as number;
          green += src[p + 1] as number;
          blue += src[p + 2] as number;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      dst[o++] = (red + (n >> 1)) / n;
      dst[o++] = (green + (n >> 1)) / n;
      dst[o++] = (blue + (n >> 1)) / n;
    }
  }
}

function bilinear(image: RgbView, r: PixelRect, dst: Buffer, lb: Letterbox, dstWidth: number): void {
  const src = image.rgb;
  const sx = r.width / lb.scaledWidth;
  const sy = r.height / lb.scaledHeight;
  for (let oy = 0; oy < lb.scaledHeight; oy++) {
    const fy = Math.min(Math.max((oy + 0.5) * sy - 0.5, 0), r.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, r.height - 1);
    const wy = fy - y0;
    const row0 = (r.y + y0) * image.width;
    const row1 = (r.y + y1) * image.width;
    let o = ((lb.padY + oy) * dstWidth + lb.padX) * 3;
    for (let ox = 0; ox < lb.scaledWidth; ox++) {
      const fx = Math.min(Math.max((ox + 0.5) * sx - 0.5, 0), r.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, r.width - 1);
      const wx = fx - x0;
      const a = (row0 + r.x + x0) * 3;
      const b = (row0 + r.x + x1) * 3;
      const c = (row1 + r.x + x0) * 3;
      const d = (row1 + r.x + x1) * 3;
      for (let k = 0; k < 3; k++) {
        const top = (src[a + k] as number) * (1 - wx) + (src[b + k] as number) * wx;
        const bottom = (src[c + k] as number) * (1 - wx) + (src[d + k] as number) * wx;
        dst[o++] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
}
