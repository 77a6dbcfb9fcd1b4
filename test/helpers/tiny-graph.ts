// Hand-built TF.js graph models for op-level converter checks: the same nodes and weights go to
// the converter (then ONNX Runtime) and to TF.js itself, and the outputs are compared.
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { convertGraphModel, type ConvertOptions } from "../../src/inference/convert/convert-graph.js";
import { parseGraphModelJson } from "../../src/inference/convert/graph-model-file.js";
import { decodeWeights, type WeightSpec } from "../../src/inference/convert/weight-decode.js";
import { runTfjs, tfjsFromParts } from "./tfjs-reference.js";

export const str = (v: string) => ({ s: Buffer.from(v).toString("base64") });
export const ints = (v: number[]) => ({ list: { i: v.map(String) } });
export const strs = (v: string[]) => ({ list: { s: v.map((x) => Buffer.from(x).toString("base64")) } });
export const int = (v: number) => ({ i: String(v) });
export const flt = (v: number) => ({ f: v });
export const bool = (v: boolean) => ({ b: v });
export const FLOAT = { T: { type: "DT_FLOAT" } };

/** Smooth deterministic values in [-1, 1] (not a constant, so layout mistakes show). */
export function wave(n: number, seed = 1): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) => Math.sin(i * 0.731 * seed + seed) * Math.cos(i * 0.173 + 0.5 * seed),
  );
}

export interface Comparison {
  readonly maxDiff: number;
  readonly onnxOps: string[];
  readonly outputs: Float32Array[];
}

export class TinyGraph {
  private readonly nodes: object[] = [];
  private readonly specs: WeightSpec[] = [];
  private readonly chunks: Uint8Array[] = [];

  input(name: string, shape: number[]): this {
    this.nodes.push({
      name,
      op: "Placeholder",
      attr: { dtype: { type: "DT_FLOAT" }, shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } },
    });
    return this;
  }

  constant(
    name: string,
    shape: number[],
    values: ArrayLike<number>,
    dtype: "float32" | "int32" = "float32",
    tfType?: string,
  ): this {
    const tf = tfType ?? (dtype === "float32" ? "DT_FLOAT" : "DT_INT32");
    this.nodes.push({
      name,
      op: "Const",
      attr: {
        dtype: { type: tf },
        value: { tensor: { dtype: tf, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
      },
    });
    this.specs.push({ name, shape, dtype });
    const data = dtype === "float32" ? Float32Array.from(values) : Int32Array.from(values);
    this.chunks.push(new Uint8Array(data.buffer));
    return this;
  }

  op(name: string, op: string, input: string[], attr: Record<string, unknown> = FLOAT): this {
    this.nodes.push({ name, op, input, attr });
    return this;
  }

  private buffer(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  convert(options: ConvertOptions = {}): Uint8Array {
    const json = parseGraphModelJson(
      JSON.stringify({
        format: "graph-model",
        modelTopology: { node: this.nodes },
        weightsManifest: [{ paths: [], weights: this.specs }],
      }),
      "tiny graph",
    );
    return convertGraphModel({ json, weights: decodeWeights(this.specs, this.buffer()) }, options).bytes;
  }

  /** Converts, runs both on the same input, and reports the largest difference over all outputs. */
  async compare(
    inputName: string,
    shape: number[],
    outputs: string[],
    options: ConvertOptions = {},
  ): Promise<Comparison> {
    const bytes = this.convert({ outputs, ...options });
    const input = wave(
      shape.reduce((a, b) => a * b, 1),
      3,
    );
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    const got = await session.run({ [`${inputName}:0`]: new ort.Tensor("float32", input, shape) });
    await session.release();
    const buf = this.buffer();
    const model = await tfjsFromParts(
      this.nodes,
      this.specs as never,
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    );
    const want = await runTfjs(model, inputName, shape, input, outputs);
    let maxDiff = 0;
    const outs: Float32Array[] = [];
    outputs.forEach((name, k) => {
      const a = got[name.includes(":") ? name : `${name}:0`]?.data as Float32Array;
      const b = want[k] ?? new Float32Array();
      if (a.length !== b.length) throw new Error(`${name}: ONNX gives ${a.length} values, TF.js ${b.length}`);
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
      outs.push(a);
    });
    const decoded = onnxProto.onnx.ModelProto.decode(bytes);
    return { maxDiff, onnxOps: (decoded.graph?.node ?? []).map((n) => n.opType ?? ""), outputs: outs };
  }
}
