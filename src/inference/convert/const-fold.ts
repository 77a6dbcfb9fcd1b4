import { type HostDType, type HostTensor, hostTensor, sizeOf, toNumbers } from "./host-tensor.js";

/**
 * Evaluates, at conversion time, the ops that only ever compute constants in exported graphs
 * (shape arithmetic such as SparseToDense + AddV2 feeding a Reshape). ONNX has no SparseToDense,
 * so folding is the only faithful translation. Returns undefined for ops it does not evaluate.
 */
export type Folder = (inputs: readonly HostTensor[], outDType: HostDType | undefined) => HostTensor | undefined;

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Flat index into a (possibly broadcast) operand for a flat index into the output. */
function sourceIndex(flat: number, outShape: readonly number[], shape: readonly number[]): number {
  let index = 0;
  let stride = 1;
  let rest = flat;
  for (let i = outShape.length - 1; i >= 0; i--) {
    const dim = outShape[i] ?? 1;
    const coord = rest % dim;
    rest = Math.floor(rest / dim);
    const own = shape[i - (outShape.length - shape.length)];
    if (own !== undefined) {
      if (own !== 1) index += coord * stride;
      stride *= own;
    }
  }
  return index;
}

function elementwise(f: (x: number, y: number) => number): Folder {
  return (inputs, outDType) => {
    const [a, b] = inputs;
    if (!a || !b) return undefined;
    const shape = broadcastShape(a.shape, b.shape);
    if (!shape) return undefined;
    const n = sizeOf(shape);
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++)
      values[i] = f(Number(a.data[sourceIndex(i, shape, a.shape)]), Number(b.data[sourceIndex(i, shape, b.shape)]));
    const dtype = outDType ?? a.dtype;
    return hostTensor(dtype, shape, dtype === "float32" ? values : values.map(Math.trunc));
  };
}

function sparseToDense(inputs: readonly HostTensor[]): HostTensor | undefined {
  const [indices, outputShape, values, fallback] = inputs;
  if (!indices || !outputShape || !values || !fallback) return undefined;
  const shape = toNumbers(outputShape);
  const out = new Array<number>(sizeOf(shape)).fill(Number(fallback.data[0]));
  const rank = shape.length;
  const count = indices.shape.length === 0 ? 1 : (indices.shape[0] ?? 0);
  for (let k = 0; k < count; k++) {
    let flat = 0;
    for (let d = 0; d < rank; d++)
      flat = flat * (shape[d] ?? 1) + Number(indices.data[indices.shape.length === 2 ? k * rank + d : k]);
    out[flat] = Number(values.data[values.shape.length === 0 ? 0 : k]);
  }
  return hostTensor(values.dtype, shape, out);
}

function concat(inputs: readonly HostTensor[]): HostTensor | undefined {
  const parts = inputs.slice(0, -1);
  if (parts.some((p) => p.shape.length > 1)) return undefined;
  const values = parts.flatMap((p) => toNumbers(p));
  return hostTensor(parts[0]?.dtype ?? "int32", [values.length], values);
}

export const FOLDERS: Readonly<Record<string, Folder>> = {
  Identity: (inputs) => inputs[0],
  SparseToDense: sparseToDense,
  Add: elementwise((x, y) => x + y),
  AddV2: elementwise((x, y) => x + y),
  Sub: elementwise((x, y) => x - y),
  Mul: elementwise((x, y) => x * y),
  Maximum: elementwise(Math.max),
  Minimum: elementwise(Math.min),
  FloorDiv: elementwise((x, y) => Math.floor(x / y)),
  Cast: (inputs, outDType) =>
    inputs[0] && outDType
      ? hostTensor(
          outDType,
          inputs[0].shape,
          toNumbers(inputs[0]).map((v) => (outDType === "float32" ? v : Math.trunc(v))),
        )
      : undefined,
  ConcatV2: concat,
  Pack: (inputs) =>
    inputs.every((t) => t.shape.length === 0)
      ? hostTensor(
          inputs[0]?.dtype ?? "int32",
          [inputs.length],
          inputs.map((t) => Number(t.data[0])),
        )
      : undefined,
  Reshape: (inputs) => (inputs[0] && inputs[1] ? { ...inputs[0], shape: toNumbers(inputs[1]) } : undefined),
};
