import type { ModelEntry } from "../model-manifest.js";

export type TensorInput = Pick<ModelEntry["input"], "layout" | "color" | "scale" | "offset">;

/**
 * An aligned rgb24 crop -> the model's float input (value * scale + offset), in NHWC or NCHW and
 * RGB or BGR order as the manifest says. Pure; writes into `out` so a caller can reuse it.
 */
export function cropToTensor(crop: Uint8Array, size: number, input: TensorInput, out = new Float32Array(size * size * 3)): Float32Array {
  const pixels = size * size;
  if (crop.length !== pixels * 3) throw new RangeError(`crop has ${crop.length} bytes, expected ${pixels * 3}`);
  if (out.length !== pixels * 3) throw new RangeError(`tensor buffer has ${out.length} values, expected ${pixels * 3}`);
  const { scale, offset } = input;
  const bgr = input.color === "BGR";
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const value = (crop[p * 3 + (bgr ? 2 - c : c)] as number) * scale + offset;
      out[input.layout === "NHWC" ? p * 3 + c : c * pixels + p] = value;
    }
  }
  return out;
}
