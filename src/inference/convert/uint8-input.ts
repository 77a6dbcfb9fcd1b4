import onnxProto from "onnx-proto";
import type { InputEncoding } from "../model-input.js";

const { onnx } = onnxProto;
type Graph = onnxProto.onnx.IGraphProto;

/** A model's image input: its name, its fixed shape, and the arithmetic the manifest gives for it. */
export interface ImageInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly encoding: InputEncoding;
}

/**
 * The manifest's per-pixel arithmetic, ((byte * scale + offset) - mean) / std, as one multiply and
 * one add per tensor channel.
 */
export function channelAffine(enc: InputEncoding): { readonly scale: number[]; readonly bias: number[] } {
  const scale: number[] = [];
  const bias: number[] = [];
  for (let c = 0; c < 3; c++) {
    const mean = enc.mean?.[c] ?? 0;
    const std = enc.std?.[c] ?? 1;
    if (!(std !== 0 && Number.isFinite(std))) throw new RangeError("std values must be finite and non-zero");
    scale.push(enc.scale / std);
    bias.push((enc.offset - mean) / std);
  }
  return { scale, bias };
}

function floatTensor(name: string, dims: number[], values: readonly number[]): onnxProto.onnx.ITensorProto {
  return {
    name,
    dataType: onnx.TensorProto.DataType.FLOAT,
    dims,
    rawData: new Uint8Array(Float32Array.from(values).buffer),
  };
}

function imageValueInfo(name: string, elemType: number, shape: readonly number[]): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

/** Names no node, input, output or initializer of the graph uses, one per hint. */
function unusedNames<K extends string>(graph: Graph, hints: Record<K, string>): Record<K, string> {
  const used = new Set<string>();
  for (const n of graph.node ?? []) for (const v of [...(n.input ?? []), ...(n.output ?? [])]) used.add(v);
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.initializer ?? [])])
    if (v.name) used.add(v.name);
  const names = {} as Record<K, string>;
  for (const key of Object.keys(hints) as K[]) {
    let name = hints[key];
    for (let i = 1; used.has(name); i++) name = `${hints[key]}_${i}`;
    used.add(name);
    names[key] = name;
  }
  return names;
}

/**
 * The shape of the uint8 input: the rgb24 frame as it comes (height, width, 3 bytes per pixel),
 * whatever the model's layout.
 */
export function frameShape(input: Pick<ImageInput, "shape" | "encoding">): number[] {
  const [n = 1, a = 0, b = 0, c = 0] = input.shape;
  return input.encoding.layout === "NCHW" ? [n, b, c, a] : [n, a, b, c];
}

function int64Tensor(name: string, values: readonly number[]): onnxProto.onnx.ITensorProto {
  return {
    name,
    dataType: onnx.TensorProto.DataType.INT64,
    dims: [values.length],
    rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
  };
}

/**
 * rgb24 frame bytes `from` (uint8, [1, H, W, 3]) -> the model's float input `to`: into its layout
 * (Transpose), its channel order (Gather), then cast, multiplied and added per channel. Moving
 * bytes here costs ORT less than it costs JavaScript (0.3 ms a 416x416 frame there). The Gather
 * stays even for RGB: without it ORT's layout optimiser pushes the Transpose past the Cast onto
 * float data, measured 1.5-2 ms slower for NanoDet.
 */
function prefix(
  graph: Graph,
  from: string,
  to: string,
  input: ImageInput,
): { nodes: onnxProto.onnx.INodeProto[]; constants: onnxProto.onnx.ITensorProto[] } {
  const affine = channelAffine(input.encoding);
  // Scalars when every channel is treated alike (BlazeFace, YOLOv5, MobileFaceNet): ORT broadcasts
  // a scalar, or one value per NCHW plane, at memory speed, but a per-channel [1,1,1,3] constant
  // on NHWC makes it step through the tensor three values at a time, several times slower.
  const uniform = affine.scale.every((v) => v === affine.scale[0]) && affine.bias.every((v) => v === affine.bias[0]);
  const dims = uniform ? [] : input.encoding.layout === "NCHW" ? [1, 3, 1, 1] : [1, 1, 1, 3];
  const scale = uniform ? affine.scale.slice(0, 1) : affine.scale;
  const bias = uniform ? affine.bias.slice(0, 1) : affine.bias;
  const n = unusedNames(graph, {
    layout: `${from}__vigil_layout`,
    order: `${from}__vigil_order`,
    channels: `${from}__vigil_channels`,
    cast: `${from}__vigil_cast`,
    scaled: `${from}__vigil_scaled`,
    add: `${from}__vigil_add`,
    k: `${from}__vigil_scale`,
    b: `${from}__vigil_bias`,
  });
  const { INT, INTS } = onnx.AttributeProto.AttributeType;
  const nchw = input.encoding.layout === "NCHW";
  const bgr = input.encoding.color === "BGR";
  const nodes: onnxProto.onnx.INodeProto[] = [];
  let bytes = from;
  if (nchw) {
    nodes.push({
      opType: "Transpose",
      name: n.layout,
      input: [bytes],
      output: [n.layout],
      attribute: [{ name: "perm", type: INTS, ints: [0, 3, 1, 2] }],
    });
    bytes = n.layout;
  }
  if (nchw || bgr) {
    nodes.push({
      opType: "Gather",
      name: n.order,
      input: [bytes, n.channels],
      output: [n.order],
      attribute: [{ name: "axis", type: INT, i: nchw ? 1 : 3 }],
    });
    bytes = n.order;
  }
  nodes.push(
    {
      opType: "Cast",
      name: n.cast,
      input: [bytes],
      output: [n.cast],
      attribute: [{ name: "to", type: INT, i: onnx.TensorProto.DataType.FLOAT }],
    },
    { opType: "Mul", name: n.scaled, input: [n.cast, n.k], output: [n.scaled] },
    { opType: "Add", name: n.add, input: [n.scaled, n.b], output: [to] },
  );
  return {
    nodes,
    constants: [
      floatTensor(n.k, dims, scale),
      floatTensor(n.b, dims, bias),
      int64Tensor(n.channels, bgr ? [2, 1, 0] : [0, 1, 2]),
    ],
  };
}

/**
 * The model with its float image input replaced by a uint8 one of the same name taking the rgb24
 * frame as it is ([1, H, W, 3], frameShape), rearranged and normalised inside the graph. The
 * caller hands ORT the frame's bytes instead of a float tensor built in JavaScript: a quarter of
 * the memory traffic, no per-pixel JavaScript, and the added nodes cost the model nothing
 * measurable (docs/performance.md). Only the model's topmost graph reads the input; subgraphs
 * referring to it are not rewritten.
 */
export function withUint8Input(modelBytes: Uint8Array, input: ImageInput): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) throw new Error("the ONNX file has no graph");
  const index = (graph.input ?? []).findIndex((v) => v.name === input.name);
  if (index < 0)
    throw new Error(`model has no input ${input.name} (has ${(graph.input ?? []).map((v) => v.name).join(", ")})`);
  const elemType = graph.input?.[index]?.type?.tensorType?.elemType;
  if (elemType !== onnx.TensorProto.DataType.FLOAT)
    throw new Error(`input ${input.name} is not float32 (ONNX element type ${elemType})`);

  const { normalised } = unusedNames(graph, { normalised: `${input.name}__vigil_float` });
  for (const node of graph.node ?? []) {
    if (node.input) node.input = node.input.map((v) => (v === input.name ? normalised : v));
  }
  const { nodes, constants } = prefix(graph, input.name, normalised, input);
  graph.node = [...nodes, ...(graph.node ?? [])];
  graph.initializer = [...(graph.initializer ?? []), ...constants];
  (graph.input ?? [])[index] = imageValueInfo(input.name, onnx.TensorProto.DataType.UINT8, frameShape(input));
  return onnx.ModelProto.encode(model).finish();
}

/** Just what withUint8Input adds, uint8 frame `image` -> float `tensor` in the model's layout: to measure on its own. */
export function normalisationModel(input: Omit<ImageInput, "name">): Uint8Array {
  const graph: Graph = { name: "vigil-normalisation", node: [], initializer: [] };
  const { nodes, constants } = prefix(graph, "image", "tensor", { ...input, name: "image" });
  graph.node = nodes;
  graph.initializer = constants;
  graph.input = [imageValueInfo("image", onnx.TensorProto.DataType.UINT8, frameShape(input))];
  graph.output = [imageValueInfo("tensor", onnx.TensorProto.DataType.FLOAT, input.shape)];
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "vigil",
    graph,
  };
  return onnx.ModelProto.encode(model).finish();
}
