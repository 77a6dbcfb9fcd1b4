import type { ModelEntry } from "../model-manifest.js";

export type TensorInput = Pick<ModelEntry["input"], "layout" | "color" | "scale" | "offset" | "mean" | "std">;

/**
 * An aligned rgb24 crop -> the model's float input, `((px * scale + offset) - mean[c]) / std[c]`
 * with mean/std per tensor channel (after any BGR swap), in NHWC or NCHW order as the manifest
 * says. Pure; writes into `out` so a caller can reuse it.
 */
export function cropToTensor(crop: Uint8Array, size: number, input: TensorInput, out = new Float32Array(size * size * 3)): Float32Array {
  const pixels = size * size;
  if (crop.length !== pixels * 3) throw new RangeError(`crop has ${crop.length} bytes, expected ${pixels * 3}`);
  if (out.length !== pixels * 3) throw new RangeError(`tensor buffer has ${out.length} values, expected ${pixels * 3}`);
  const { scale, offset } = input;
  const bgr = input.color === "BGR";
  const mean = [0, 1, 2].map((c) => input.mean?.[c] ?? 0);
  const std = [0, 1, 2].map((c) => input.std?.[c] ?? 1);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const value = ((crop[p * 3 + (bgr ? 2 - c : c)] as number) * scale + offset - (mean[c] as number)) / (std[c] as number);
      out[input.layout === "NHWC" ? p * 3 + c : c * pixels + p] = value;
    }
  }
  return out;
}
