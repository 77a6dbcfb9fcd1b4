/**
 * A tensor held in memory during conversion: weights read from the shards and values the
 * converter computes itself (folded shape arithmetic). int64 is kept as whole JS numbers: TF.js
 * stores int64 constants as int32, and every int64 here is a shape or an index.
 */
export type HostDType = "float32" | "int32" | "int64" | "bool";

export interface HostTensor {
  readonly dtype: HostDType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Float64Array | Uint8Array;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The values as plain numbers (for attributes: axes, perms, sizes, paddings). */
export function toNumbers(t: HostTensor): number[] {
  return Array.from(t.data, Number);
}

export function hostTensor(dtype: HostDType, shape: readonly number[], values: ArrayLike<number>): HostTensor {
  const data =
    dtype === "float32"
      ? Float32Array.from(values)
      : dtype === "int32"
        ? Int32Array.from(values)
        : dtype === "int64"
          ? Float64Array.from(values)
          : Uint8Array.from(values);
  return { dtype, shape: [...shape], data };
}
