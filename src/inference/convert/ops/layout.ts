import type { OnnxGraphWriter } from "../onnx-writer.js";

/**
 * TF.js graphs are NHWC; ONNX spatial ops are NCHW. Each spatial op is wrapped in a Transpose
 * pair; ONNX Runtime's transpose optimiser cancels the back-to-back pairs between spatial ops.
 */
export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];

export function toNchw(w: OnnxGraphWriter, x: string, hint: string): string {
  return w.op("Transpose", [x], `${hint}/nchw`, { perm: { ints: TO_NCHW } });
}

export function toNhwc(w: OnnxGraphWriter, x: string, out: string): void {
  w.node("Transpose", [x], [out], { perm: { ints: TO_NHWC } });
}

/** TF's [1, a, b, 1] NHWC attribute -> ONNX's [a, b]. */
export function spatial(values: readonly number[]): number[] {
  return [values[1] ?? 1, values[2] ?? 1];
}
