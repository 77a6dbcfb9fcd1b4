import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { ConvertedModel } from "./convert-graph.js";
import type { HostTensor } from "./host-tensor.js";
import { hostTensor } from "./host-tensor.js";
import { OnnxGraphWriter, type OnnxValueInfo } from "./onnx-writer.js";
import { decodeWeights, type WeightSpec } from "./weight-decode.js";

/**
 * face-api.js's FaceRecognitionNet (its port of dlib's dlib_face_recognition_resnet_model_v1)
 * rebuilt as ONNX from its weights manifest: face-api ships named weights and the forward pass as
 * code (src/faceRecognitionNet/*), not a graph, so the graph is written here, following that code.
 * Input: one face chip [1, 3, 150, 150] NCHW, already normalised (the manifest's input block);
 * output: the 128-d descriptor, not normalised.
 */

export type WeightsManifest = readonly { readonly paths: readonly string[]; readonly weights: readonly WeightSpec[] }[];

export const FACEAPI_RESNET_INPUT = "input";
export const FACEAPI_RESNET_OUTPUT = "descriptor";
const SIZE = 150;

/** The residual blocks in forward order; `down` halves the resolution and may widen the channels. */
const BLOCKS: readonly (readonly [string, "same" | "down"])[] = [
  ["conv32_1", "same"],
  ["conv32_2", "same"],
  ["conv32_3", "same"],
  ["conv64_down", "down"],
  ["conv64_1", "same"],
  ["conv64_2", "same"],
  ["conv64_3", "same"],
  ["conv128_down", "down"],
  ["conv128_1", "same"],
  ["conv128_2", "same"],
  ["conv256_down", "down"],
  ["conv256_1", "same"],
  ["conv256_2", "same"],
  ["conv256_down_out", "down"],
];

function failed(message: string): never {
  throw new VigilError(ErrorCodes.MODEL_CONVERT_FAILED, message);
}

export function parseWeightsManifest(text: string, where: string): WeightsManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VigilError(ErrorCodes.MODEL_CONVERT_FAILED, `${where} is not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const ok =
    Array.isArray(json) &&
    json.every((g: { paths?: unknown; weights?: unknown }) => Array.isArray(g?.paths) && Array.isArray(g?.weights));
  if (!ok) failed(`${where} is not a TF.js weights manifest (a list of {paths, weights} groups)`);
  return json as WeightsManifest;
}

/** Reads a weights manifest and its shards (paths relative to it), dequantised to float32. */
export async function readWeightsManifest(path: string): Promise<Map<string, HostTensor>> {
  const manifest = parseWeightsManifest(await readFile(path, "utf8"), path);
  const chunks: Buffer[] = [];
  for (const p of manifest.flatMap((g) => g.paths)) {
    try {
      chunks.push(await readFile(join(dirname(path), p)));
    } catch (err) {
      throw new VigilError(
        ErrorCodes.MODEL_CONVERT_FAILED,
        `cannot read weight shard ${p} of ${path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return decodeWeights(
    manifest.flatMap((g) => g.weights),
    Buffer.concat(chunks),
  );
}

interface Value {
  readonly name: string;
  readonly channels: number;
  readonly size: number;
}

class ResnetBuilder {
  readonly w = new OnnxGraphWriter();

  constructor(private readonly weights: ReadonlyMap<string, HostTensor>) {}

  weight(name: string, shape: readonly number[]): Float32Array {
    const t = this.weights.get(name) ?? failed(`weight "${name}" is missing from the weights manifest`);
    if (
      t.dtype !== "float32" ||
      t.shape.length !== shape.length ||
      t.shape.some((d, i) => shape[i] !== -1 && d !== shape[i])
    ) {
      failed(`weight "${name}" has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}] (-1: any)`);
    }
    return t.data as Float32Array;
  }

  /**
   * face-api's convLayer: conv2d, + bias, then its scale layer (* weights + biases), optionally
   * ReLU. Bias and scale are per output channel, so they fold into the filter and one bias:
   * ((x * W) + b) * s + t = x * (W s) + (b s + t).
   */
  conv(x: Value, prefix: string, stride: 1 | 2, relu: boolean): Value {
    const filters =
      this.weights.get(`${prefix}/conv/filters`)?.shape ??
      failed(`weight "${prefix}/conv/filters" is missing from the weights manifest`);
    const [k = 0, , cin = 0, cout = 0] = filters;
    if (cin !== x.channels) failed(`${prefix}: filters take ${cin} channels, the layer before gives ${x.channels}`);
    const W = this.weight(`${prefix}/conv/filters`, [k, k, cin, cout]);
    const bias = this.weight(`${prefix}/conv/bias`, [cout]);
    const scale = this.weight(`${prefix}/scale/weights`, [cout]);
    const shift = this.weight(`${prefix}/scale/biases`, [cout]);
    const folded = new Float32Array(cout * cin * k * k);
    // TF [kh, kw, in, out] -> ONNX [out, in, kh, kw].
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < cin; i++)
        for (let h = 0; h < k; h++)
          for (let v = 0; v < k; v++)
            folded[((o * cin + i) * k + h) * k + v] =
              (W[((h * k + v) * cin + i) * cout + o] as number) * (scale[o] as number);
    const b = Float32Array.from(
      { length: cout },
      (_, o) => (bias[o] as number) * (scale[o] as number) + (shift[o] as number),
    );
    const wName = this.w.initializer(`${prefix}/filters`, { dtype: "float32", shape: [cout, cin, k, k], data: folded });
    const bName = this.w.initializer(`${prefix}/bias`, { dtype: "float32", shape: [cout], data: b });
    // Stride 2 layers are 'valid' in face-api, stride 1 layers 'same' (odd kernels: k >> 1 each side).
    const pad = stride === 1 ? k >> 1 : 0;
    const out = this.w.op("Conv", [x.name, wName, bName], prefix, {
      kernel_shape: { ints: [k, k] },
      strides: { ints: [stride, stride] },
      pads: { ints: [pad, pad, pad, pad] },
    });
    const size = stride === 1 ? x.size : Math.floor((x.size - k) / 2) + 1;
    return { name: relu ? this.w.op("Relu", [out], `${prefix}/relu`) : out, channels: cout, size };
  }

  /** residual(): conv, conv without ReLU, + the input, ReLU. */
  residual(x: Value, prefix: string): Value {
    const out = this.conv(this.conv(x, `${prefix}/conv1`, 1, true), `${prefix}/conv2`, 1, false);
    if (out.channels !== x.channels)
      failed(`${prefix}: ${out.channels} channels out of ${x.channels} in; a residual block keeps them`);
    return {
      ...out,
      name: this.w.op("Relu", [this.w.op("Add", [out.name, x.name], `${prefix}/add`)], `${prefix}/relu`),
    };
  }

  /**
   * residualDown(): a stride-2 conv path beside a 2x2 average pool of the input, whose extra
   * channels are zeros. Where the valid conv comes out one pixel smaller than the pool (odd
   * sizes: 8 -> 3 vs 4, 4 -> 1 vs 2), face-api appends a row and a column of zeros to the conv
   * path's bottom and right, after its scale layer; so does this graph.
   */
  residualDown(x: Value, prefix: string): Value {
    const out = this.conv(this.conv(x, `${prefix}/conv1`, 2, true), `${prefix}/conv2`, 1, false);
    const pooledSize = Math.floor(x.size / 2);
    const grow = pooledSize - out.size;
    if (grow !== 0 && grow !== 1)
      failed(`${prefix}: conv path is ${out.size}px, pooled path ${pooledSize}px; face-api only pads one`);
    if (out.channels < x.channels) failed(`${prefix}: ${out.channels} channels out of ${x.channels} in`);
    let pooled = this.w.op("AveragePool", [x.name], `${prefix}/pool`, {
      kernel_shape: { ints: [2, 2] },
      strides: { ints: [2, 2] },
    });
    if (out.channels > x.channels)
      pooled = this.pad(pooled, [0, 0, 0, 0, 0, out.channels - x.channels, 0, 0], `${prefix}/pool_pad`);
    const conv = grow ? this.pad(out.name, [0, 0, 0, 0, 0, 0, 1, 1], `${prefix}/conv_pad`) : out.name;
    return {
      name: this.w.op("Relu", [this.w.op("Add", [pooled, conv], `${prefix}/add`)], `${prefix}/relu`),
      channels: out.channels,
      size: pooledSize,
    };
  }

  /** Zero padding, ONNX order: begins of N, C, H, W then their ends. */
  pad(x: string, pads: readonly number[], hint: string): string {
    return this.w.op("Pad", [x, this.w.constant(`${hint}/pads`, hostTensor("int64", [8], pads))], hint);
  }
}

/** Builds the ONNX model from face-api's dequantised FaceRecognitionNet weights. Deterministic. */
export function convertFaceapiResnet(weights: ReadonlyMap<string, HostTensor>): ConvertedModel {
  const b = new ResnetBuilder(weights);
  const input: Value = { name: b.w.claim(FACEAPI_RESNET_INPUT), channels: 3, size: SIZE };
  let x = b.conv(input, "conv32_down", 2, true);
  const pooled = b.w.op("MaxPool", [x.name], "conv32_down/pool", {
    kernel_shape: { ints: [3, 3] },
    strides: { ints: [2, 2] },
  });
  x = { ...x, name: pooled, size: Math.floor((x.size - 3) / 2) + 1 };
  for (const [prefix, kind] of BLOCKS) x = kind === "down" ? b.residualDown(x, prefix) : b.residual(x, prefix);
  const mean = b.w.op("ReduceMean", [x.name], "global_mean", { axes: { ints: [2, 3] }, keepdims: { i: 0 } });
  const fc = b.weight("fc", [x.channels, -1]);
  const dims = weights.get("fc")?.shape[1] ?? 0;
  const fcName = b.w.initializer("fc", { dtype: "float32", shape: [x.channels, dims], data: fc });
  b.w.node("MatMul", [mean, fcName], [b.w.claim(FACEAPI_RESNET_OUTPUT)]);
  const inputs: OnnxValueInfo[] = [{ name: FACEAPI_RESNET_INPUT, dtype: "float32", shape: [1, 3, SIZE, SIZE] }];
  const outputs: OnnxValueInfo[] = [{ name: FACEAPI_RESNET_OUTPUT, dtype: "float32", shape: [1, dims] }];
  return { bytes: b.w.encode("faceapi-resnet", inputs, outputs, "vigil faceapi-resnet converter"), inputs, outputs };
}
