/**
 * The resolution detection works at. A camera's frames reach the detector at the source's own
 * size, shrunk uniformly (never padded, never enlarged) to fit `cameras[].detect.width` x
 * `height` (1280 x 1280 by default: a 1080p main stream becomes 1280x720, a 640x360 substream
 * stays as it is). The detector cuts its regions from these pixels (inference/regions).
 */
export const DEFAULT_WORKING_MAX = 1280;

export interface WorkingSize {
  readonly maxWidth: number;
  readonly maxHeight: number;
}

export function workingSizeOf(detect: {
  readonly width?: number | undefined;
  readonly height?: number | undefined;
}): WorkingSize {
  return { maxWidth: detect.width ?? DEFAULT_WORKING_MAX, maxHeight: detect.height ?? DEFAULT_WORKING_MAX };
}

/** ffmpeg's filter for it; the exact output size is read back from ffmpeg's banner (parseSourceSize on the output section). */
export function workingSizeFilter(s: WorkingSize): string {
  for (const [name, v] of [
    ["maxWidth", s.maxWidth],
    ["maxHeight", s.maxHeight],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
  }
  return `scale=w='min(iw,${s.maxWidth})':h='min(ih,${s.maxHeight})':force_original_aspect_ratio=decrease`;
}

// libavutil's av_rescale with its default rounding (nearest, halves away from zero).
function rescale(a: number, b: number, c: number): number {
  const n = a * b + Math.floor(c / 2);
  return (n - (n % c)) / c;
}

/** The size ffmpeg 5.1's scale filter gives a source under `workingSizeFilter` (for planning and tests). */
export function workingSizeFor(srcWidth: number, srcHeight: number, s: WorkingSize): { width: number; height: number } {
  const w = Math.min(srcWidth, s.maxWidth);
  const h = Math.min(srcHeight, s.maxHeight);
  return {
    width: Math.max(1, Math.min(w, rescale(h, srcWidth, srcHeight))),
    height: Math.max(1, Math.min(h, rescale(w, srcHeight, srcWidth))),
  };
}
