import type { Box } from "./geometry.js";
import { clampBox } from "./geometry.js";

/**
 * Where ffmpeg's letterbox (see `letterboxFilter`) puts a source frame inside the model input.
 * All sizes and offsets are integer pixels; `scale` is the nominal ratio, while mapping uses
 * the rounded `scaledWidth`/`scaledHeight` because that is what the pixels actually occupy.
 */
export interface Letterbox {
  srcWidth: number;
  srcHeight: number;
  dstWidth: number;
  dstHeight: number;
  scale: number;
  scaledWidth: number;
  scaledHeight: number;
  padX: number;
  padY: number;
}

/**
 * The filter whose geometry `computeLetterbox` reproduces. It must be followed by rgb24 (or
 * another unsubsampled) output: in a 4:2:0 format pad rounds its offsets down to even.
 */
export function letterboxFilter(dstW: number, dstH: number): string {
  checkSize("dstW", dstW);
  checkSize("dstH", dstH);
  return `scale=${dstW}:${dstH}:force_original_aspect_ratio=decrease,` + `pad=${dstW}:${dstH}:(ow-iw)/2:(oh-ih)/2`;
}

function checkSize(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
  }
}

// libavutil's av_rescale(a, b, c) with its default rounding: nearest, halves away from zero.
function rescale(a: number, b: number, c: number): number {
  const n = a * b + Math.floor(c / 2);
  return (n - (n % c)) / c;
}

/**
 * Measured against ffmpeg 5.1: with force_original_aspect_ratio=decrease the scale filter
 * takes w = min(dstW, round(dstH*srcW/srcH)) and h = min(dstH, round(dstW*srcH/srcW)), halves
 * rounding up and no even-size rounding; pad truncates (ow-iw)/2 and (oh-ih)/2.
 */
export function computeLetterbox(srcW: number, srcH: number, dstW: number, dstH: number): Letterbox {
  checkSize("srcW", srcW);
  checkSize("srcH", srcH);
  checkSize("dstW", dstW);
  checkSize("dstH", dstH);
  // ffmpeg would produce a zero-sized side for absurd aspect ratios; one pixel keeps the
  // mapping finite instead.
  const scaledWidth = Math.max(1, Math.min(dstW, rescale(dstH, srcW, srcH)));
  const scaledHeight = Math.max(1, Math.min(dstH, rescale(dstW, srcH, srcW)));
  return {
    srcWidth: srcW,
    srcHeight: srcH,
    dstWidth: dstW,
    dstHeight: dstH,
    scale: Math.min(dstW / srcW, dstH / srcH),
    scaledWidth,
    scaledHeight,
    padX: Math.floor((dstW - scaledWidth) / 2),
    padY: Math.floor((dstH - scaledHeight) / 2),
  };
}

/** Model-input normalised point -> source-frame normalised point (unclamped). */
export function letterboxPointToSource(p: { x: number; y: number }, lb: Letterbox): { x: number; y: number } {
  return {
    x: (p.x * lb.dstWidth - lb.padX) / lb.scaledWidth,
    y: (p.y * lb.dstHeight - lb.padY) / lb.scaledHeight,
  };
}

/** Model-input normalised box -> source-frame normalised box, clamped to the frame. */
export function letterboxToSource(box: Box, lb: Letterbox): Box {
  const a = letterboxPointToSource({ x: box.x1, y: box.y1 }, lb);
  const b = letterboxPointToSource({ x: box.x2, y: box.y2 }, lb);
  return clampBox({ x1: a.x, y1: a.y, x2: b.x, y2: b.y });
}

/** Source-frame normalised box -> model-input normalised box (the inverse, unclamped). */
export function sourceToLetterbox(box: Box, lb: Letterbox): Box {
  const fx = (x: number): number => (x * lb.scaledWidth + lb.padX) / lb.dstWidth;
  const fy = (y: number): number => (y * lb.scaledHeight + lb.padY) / lb.dstHeight;
  return { x1: fx(box.x1), y1: fy(box.y1), x2: fx(box.x2), y2: fy(box.y2) };
}
