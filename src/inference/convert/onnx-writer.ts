import onnxProto from "onnx-proto";
import type { HostDType, HostTensor } from "./host-tensor.js";

const { onnx } = onnxProto;

/** ONNX attribute values, tagged by their protobuf field. */
export type OnnxAttr =
  { i: number } | { f: number } | { s: string } | { ints: readonly number[] } | { floats: readonly number[] };

export interface OnnxValueInfo {
  readonly name: string;
  readonly dtype: HostDType;
  /** Numbers are fixed dimensions, strings symbolic ones; undefined: unknown shape. */
  readonly shape?: readonly (number | string)[];
}

const ELEM_TYPE: Record<HostDType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

export function onnxElemType(dtype: HostDType): number {
  return ELEM_TYPE[dtype];
}

function attribute(name: string, value: OnnxAttr): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ("i" in value) return { name, type: T.INT, i: value.i };
  if ("f" in value) return { name, type: T.FLOAT, f: value.f };
  if ("s" in value) return { name, type: T.STRING, s: Buffer.from(value.s, "utf8") };
  if ("ints" in value) return { name, type: T.INTS, ints: [...value.ints] };
  return { name, type: T.FLOATS, floats: [...value.floats] };
}

function rawBytes(t: HostTensor): Uint8Array {
  const data = t.dtype === "int64" ? BigInt64Array.from(Array.from(t.data, (v) => BigInt(Math.trunc(v)))) : t.data;
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function valueInfo(v: OnnxValueInfo): onnxProto.onnx.IValueInfoProto {
  const shape = v.shape
    ? { dim: v.shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) }
    : undefined;
  return { name: v.name, type: { tensorType: { elemType: ELEM_TYPE[v.dtype], ...(shape ? { shape } : {}) } } };
}

/**
 * Accumulates ONNX nodes and initializers in the order they are added, so the same input graph
 * always yields the same bytes (the manifest pins the converted file's sha256).
 */
export class OnnxGraphWriter {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();

  /** A value name not used before, derived from a hint. */
  fresh(hint: string): string {
    let name = hint;
    for (let n = 1; this.used.has(name); n++) name = `${hint}_${n}`;
    this.used.add(name);
    return name;
  }

  claim(name: string): string {
    this.used.add(name);
    return name;
  }

  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Readonly<Record<string, OnnxAttr>> = {},
  ): void {
    const first = outputs[0] ?? opType;
    this.nodes.push({
      name: `${first}/${opType}`,
      opType,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
  }

  /** A one-output node whose output name is made fresh from the hint; returns that name. */
  op(opType: string, inputs: readonly string[], hint: string, attrs: Readonly<Record<string, OnnxAttr>> = {}): string {
    const out = this.fresh(hint);
    this.node(opType, inputs, [out], attrs);
    return out;
  }

  initializer(name: string, t: HostTensor): string {
    this.claim(name);
    this.initializers.push({ name, dims: [...t.shape], dataType: ELEM_TYPE[t.dtype], rawData: rawBytes(t) });
    return name;
  }

  /** A fresh constant initializer (attribute-like operands: shapes, axes, pads). */
  constant(hint: string, t: HostTensor): string {
    return this.initializer(this.fresh(hint), t);
  }

  encode(
    graphName: string,
    inputs: readonly OnnxValueInfo[],
    outputs: readonly OnnxValueInfo[],
    producer: string,
  ): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: "", version: 13 }],
      producerName: producer,
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map(valueInfo),
        output: outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
