import { ErrorCodes, VigilError } from "../../core/errors.js";
import { widenFloat16 } from "./float16.js";
import { type HostDType, type HostTensor, sizeOf } from "./host-tensor.js";

/** One entry of a TF.js weightsManifest group (the fields the converter reads). */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: {
    readonly dtype: string;
    readonly min?: number;
    readonly scale?: number;
    readonly original_dtype?: string;
  };
}

const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function bad(message: string): never {
  throw new VigilError(ErrorCodes.MODEL_CONVERT_FAILED, message);
}

function hostDType(dtype: string, name: string): HostDType {
  if (dtype === "float32" || dtype === "int32" || dtype === "bool") return dtype;
  return bad(`weight "${name}" has dtype ${dtype}, which the converter does not read`);
}

/** Copies (a Buffer's slice() is a view) so the result is aligned and owns its memory. */
function view<T>(bytes: Uint8Array, make: (b: ArrayBuffer) => T): T {
  return make(new Uint8Array(bytes).buffer);
}

function decodeOne(spec: WeightSpec, bytes: Uint8Array): HostTensor {
  const count = sizeOf(spec.shape);
  const dtype = hostDType(spec.dtype, spec.name);
  const q = spec.quantization;
  if (!q) {
    const data =
      dtype === "float32"
        ? view(bytes, (b) => new Float32Array(b))
        : dtype === "int32"
          ? view(bytes, (b) => new Int32Array(b))
          : new Uint8Array(bytes);
    return { dtype, shape: spec.shape, data };
  }
  if (q.dtype === "float16")
    return { dtype: "float32", shape: spec.shape, data: widenFloat16(view(bytes, (b) => new Uint16Array(b))) };
  if (q.dtype !== "uint8" && q.dtype !== "uint16")
    bad(`weight "${spec.name}" uses quantisation ${q.dtype}, which the converter does not read`);
  const quantised = q.dtype === "uint8" ? bytes : view(bytes, (b) => new Uint16Array(b));
  const scale = q.scale ?? 1;
  const min = q.min ?? 0;
  // Affine dequantisation, as TF.js does it: value = q * scale + min (rounded for int weights).
  if (dtype === "int32") {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = Math.round((quantised[i] ?? 0) * scale + min);
    return { dtype, shape: spec.shape, data: out };
  }
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (quantised[i] ?? 0) * scale + min;
  return { dtype: "float32", shape: spec.shape, data: out };
}

/**
 * Splits the concatenated weight shards into named tensors, widening float16 and affine
 * uint8/uint16 quantised weights to float32 (or int32 where the original was int32).
 */
export function decodeWeights(specs: readonly WeightSpec[], buffer: Uint8Array): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  let offset = 0;
  for (const spec of specs) {
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const width = STORED_BYTES[stored];
    if (width === undefined) bad(`weight "${spec.name}" is stored as ${stored}, which the converter does not read`);
    const length = sizeOf(spec.shape) * width;
    if (offset + length > buffer.length)
      bad(`weight shards end before weight "${spec.name}" (need ${offset + length} bytes, have ${buffer.length})`);
    out.set(spec.name, decodeOne(spec, buffer.subarray(offset, offset + length)));
    offset += length;
  }
  return out;
}
