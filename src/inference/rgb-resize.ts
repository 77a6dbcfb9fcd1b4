/**
 * Bilinear resize of a packed rgb24 image (pixel centres aligned, like OpenCV's INTER_LINEAR).
 * Used to hand a frame letterboxed for one model to a second model with a smaller square input:
 * a uniformly scaled letterbox is still a letterbox of the same source, so boxes map back the
 * same way.
 */
export function resizeRgbBilinear(
  src: Buffer,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  out?: Buffer,
): Buffer {
  if (src.length !== srcWidth * srcHeight * 3)
    throw new RangeError(`rgb buffer of ${src.length} bytes is not ${srcWidth}x${srcHeight}x3`);
  const dst = out ?? Buffer.allocUnsafe(dstWidth * dstHeight * 3);
  if (dst.length !== dstWidth * dstHeight * 3)
    throw new RangeError(`output buffer of ${dst.length} bytes is not ${dstWidth}x${dstHeight}x3`);
  const sx = srcWidth / dstWidth;
  const sy = srcHeight / dstHeight;
  for (let y = 0; y < dstHeight; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), srcHeight - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, srcHeight - 1);
    const wy = fy - y0;
    for (let x = 0; x < dstWidth; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), srcWidth - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, srcWidth - 1);
      const wx = fx - x0;
      const a = (y0 * srcWidth + x0) * 3;
      const b = (y0 * srcWidth + x1) * 3;
      const c = (y1 * srcWidth + x0) * 3;
      const d = (y1 * srcWidth + x1) * 3;
      const o = (y * dstWidth + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = (src[a + k] ?? 0) * (1 - wx) + (src[b + k] ?? 0) * wx;
        const bottom = (src[c + k] ?? 0) * (1 - wx) + (src[d + k] ?? 0) * wx;
        dst[o + k] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return dst;
}
