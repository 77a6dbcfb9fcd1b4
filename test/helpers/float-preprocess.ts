/**
 * The manifest's input arithmetic done in JavaScript into a float tensor: what the daemon did
 * before the normalisation moved into the model (src/inference/convert/uint8-input.ts). Kept as
 * the reference the baked graph is tested against, and as the benchmarks' baseline.
 */
import type { InputEncoding } from "../../src/inference/model-input.js";

/**
 * rgb24 bytes to the model's float input, in place into a reused buffer (a 256x256 frame is
 * 196,608 values; allocating per frame would feed the GC for nothing). NHWC layout only.
 */
export function rgbToTensorData(
  rgb: Uint8Array,
  out: Float32Array,
  scale: number,
  offset: number,
  bgr: boolean,
): Float32Array {
  if (rgb.length !== out.length) throw new RangeError(`frame has ${rgb.length} bytes, tensor needs ${out.length}`);
  if (!bgr) {
    for (let i = 0; i < rgb.length; i++) out[i] = (rgb[i] as number) * scale + offset;
    return out;
  }
  for (let i = 0; i < rgb.length; i += 3) {
    out[i] = (rgb[i + 2] as number) * scale + offset;
    out[i + 1] = (rgb[i + 1] as number) * scale + offset;
    out[i + 2] = (rgb[i] as number) * scale + offset;
  }
  return out;
}

/**
 * One 256-entry table per tensor channel: value = ((px * scale + offset) - mean) / std. A byte has
 * only 256 values, so the arithmetic is done once here and the per-frame loop is a table lookup.
 */
export interface PixelTables {
  readonly layout: "NCHW" | "NHWC";
  /** Tables in tensor channel order. */
  readonly tables: readonly [Float32Array, Float32Array, Float32Array];
  /** For each tensor channel, which byte of the rgb24 pixel it reads. */
  readonly sourceChannel: readonly [number, number, number];
}

export function pixelTables(enc: InputEncoding): PixelTables {
  for (const [name, v] of [
    ["mean", enc.mean],
    ["std", enc.std],
  ] as const) {
    if (v !== undefined && v.length !== 3) throw new RangeError(`${name} needs 3 values, got ${v.length}`);
  }
  if (enc.std?.some((s) => !(s !== 0 && Number.isFinite(s))))
    throw new RangeError("std values must be finite and non-zero");
  const table = (c: number): Float32Array => {
    const t = new Float32Array(256);
    const mean = enc.mean?.[c] ?? 0;
    const std = enc.std?.[c] ?? 1;
    for (let v = 0; v < 256; v++) t[v] = (v * enc.scale + enc.offset - mean) / std;
    return t;
  };
  return {
    layout: enc.layout,
    tables: [table(0), table(1), table(2)],
    sourceChannel: enc.color === "BGR" ? [2, 1, 0] : [0, 1, 2],
  };
}

/** rgb24 (HWC) -> the model's float tensor, in place into `out` (3 * pixels values). */
export function rgbToTensor(rgb: Uint8Array, out: Float32Array, t: PixelTables): Float32Array {
  if (rgb.length !== out.length || rgb.length % 3 !== 0)
    throw new RangeError(`frame has ${rgb.length} bytes, tensor needs ${out.length}`);
  const [t0, t1, t2] = t.tables;
  const [s0, s1, s2] = t.sourceChannel;
  const pixels = rgb.length / 3;
  if (t.layout === "NCHW") {
    // Three planes written in one pass over the pixels: reads stay sequential, each write stream too.
    const p1 = pixels;
    const p2 = 2 * pixels;
    for (let i = 0, j = 0; i < pixels; i++, j += 3) {
      out[i] = t0[rgb[j + s0] as number] as number;
      out[p1 + i] = t1[rgb[j + s1] as number] as number;
      out[p2 + i] = t2[rgb[j + s2] as number] as number;
    }
    return out;
  }
  for (let j = 0; j < rgb.length; j += 3) {
    out[j] = t0[rgb[j + s0] as number] as number;
    out[j + 1] = t1[rgb[j + s1] as number] as number;
    out[j + 2] = t2[rgb[j + s2] as number] as number;
  }
  return out;
}
