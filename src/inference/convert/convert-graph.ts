import { ErrorCodes, VigilError } from "../../core/errors.js";
import { FOLDERS } from "./const-fold.js";
import type { GraphModel } from "./graph-model-file.js";
import type { HostDType, HostTensor } from "./host-tensor.js";
import { type MapContext, unsupported } from "./map-context.js";
import { OnnxGraphWriter, type OnnxValueInfo } from "./onnx-writer.js";
import { OP_MAPPERS } from "./ops/index.js";
import { foldPads } from "./pad-fold.js";
import { fromTfType } from "./tf-dtype.js";
import { attrShape, attrType, parseNodes, parseRef, refName, type TensorRef, type TfNode } from "./tf-graph.js";

export interface ConvertOptions {
  /** Fixed input shape (replaces unknown dimensions such as a -1 batch). */
  readonly inputShape?: readonly number[];
  /** Output tensors to cut the graph at ("node" or "node:i"); default: the model's signature. */
  readonly outputs?: readonly string[];
}

export interface ConvertedModel {
  readonly bytes: Uint8Array;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

function failed(message: string): never {
  throw new VigilError(ErrorCodes.MODEL_CONVERT_FAILED, message);
}

/** Natural order by node name, then output index: Identity:0, Identity_1:0, Identity_2:0, ... */
function natural(a: string, b: string): number {
  const ra = parseRef(a);
  const rb = parseRef(b);
  return ra.node.localeCompare(rb.node, "en", { numeric: true }) || ra.index - rb.index;
}

/** Signature outputs, else the nodes nothing consumes; in natural name order (Identity, Identity_1, ...). */
export function defaultOutputs(model: GraphModel, nodes: ReadonlyMap<string, TfNode>): string[] {
  const sig = model.json.signature?.outputs ?? model.json.userDefinedMetadata?.signature?.outputs;
  if (sig && Object.keys(sig).length > 0)
    return Object.values(sig)
      .map((o) => refName(parseRef(o.name)))
      .sort(natural);
  const consumed = new Set([...nodes.values()].flatMap((n) => n.inputs.map((i) => i.node)));
  return [...nodes.values()]
    .filter((n) => !consumed.has(n.name) && n.op !== "Const")
    .map((n) => `${n.name}:0`)
    .sort(natural);
}

function dtypeOfNode(node: TfNode): HostDType {
  for (const key of ["out_type", "DstT", "dtype", "T"]) {
    const t = fromTfType(attrType(node, key));
    if (t) return t;
  }
  return "float32";
}

/**
 * Converts a TF.js graph model to ONNX (opset 13), emitting only what the chosen outputs need,
 * in dependency order. Deterministic: the same model and options give the same bytes.
 */
export function convertGraphModel(model: GraphModel, options: ConvertOptions = {}): ConvertedModel {
  const nodes = parseNodes(model.json.modelTopology.node);
  const w = new OnnxGraphWriter();
  const constants = new Map<string, HostTensor | null>();
  const emittedValues = new Set<string>();
  const emittedNodes = new Set<string>();
  const inputs: OnnxValueInfo[] = [];

  const nodeOf = (ref: TensorRef): TfNode =>
    nodes.get(ref.node) ?? failed(`the graph references a missing node "${ref.node}"`);

  const constantOf = (ref: TensorRef): HostTensor | undefined => {
    const key = refName(ref);
    const cached = constants.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const node = nodeOf(ref);
    let value: HostTensor | undefined;
    if (node.op === "Const") {
      const t = model.weights.get(node.name) ?? failed(`constant "${node.name}" has no data in the weight shards`);
      // TF.js stores int64 constants as int32; the node's own dtype says what they were.
      value = attrType(node, "dtype") === "DT_INT64" ? { ...t, dtype: "int64" } : t;
    } else if (ref.index === 0 && FOLDERS[node.op]) {
      const args = node.inputs.map((i) => constantOf(i));
      if (args.every((a): a is HostTensor => a !== undefined))
        value = FOLDERS[node.op]?.(args, fromTfType(attrType(node, "T")) ?? fromTfType(attrType(node, "DstT")));
    }
    constants.set(key, value ?? null);
    return value;
  };

  const folds = foldPads(nodes, constantOf);

  const emitNode = (node: TfNode): void => {
    if (emittedNodes.has(node.name)) return;
    emittedNodes.add(node.name);
    if (node.op === "Placeholder") {
      const declared = attrShape(node, "shape");
      const shape = options.inputShape ?? declared?.map((d, i) => (d < 0 ? (i === 0 ? "N" : `d${i}`) : d));
      if (options.inputShape && declared && declared.length !== options.inputShape.length)
        failed(`input "${node.name}" has rank ${declared.length}, not ${options.inputShape.length}`);
      inputs.push({ name: w.claim(`${node.name}:0`), dtype: dtypeOfNode(node), ...(shape ? { shape } : {}) });
      return;
    }
    const mapper = OP_MAPPERS[node.op] ?? unsupported(node);
    mapper(node, ctx);
  };

  const valueOf = (ref: TensorRef): string => {
    const name = refName(ref);
    if (emittedValues.has(name)) return name;
    const constant = constantOf(ref);
    if (constant) {
      emittedValues.add(name);
      return w.initializer(name, constant);
    }
    emitNode(nodeOf(ref));
    emittedValues.add(name);
    return name;
  };

  const inputRef = (node: TfNode, i: number): TensorRef => node.inputs[i] ?? unsupported(node, `missing input ${i}`);

  const ctx: MapContext = {
    w,
    input: (node, i) => valueOf(inputRef(node, i)),
    constInput: (node, i) => constantOf(inputRef(node, i)) ?? unsupported(node, `input ${i} must be a constant`),
    maybeConst: (node, i) => constantOf(inputRef(node, i)),
    output: (node, i = 0) => w.claim(`${node.name}:${i}`),
    foldedPads: (node) => folds.get(node.name),
    dtypeOf: dtypeOfNode,
  };

  const wanted = (options.outputs ?? defaultOutputs(model, nodes)).map((o) => parseRef(o));
  if (wanted.length === 0) failed("the graph has no outputs");
  const outputs = wanted.map((ref): OnnxValueInfo => {
    const node = nodes.get(ref.node) ?? failed(`output "${refName(ref)}" is not a node of the graph`);
    if (node.op === "Const") failed(`output "${refName(ref)}" is a constant`);
    return { name: valueOf(ref), dtype: dtypeOfNode(node) };
  });
  if (inputs.length === 0) failed("the chosen outputs do not depend on any input");
  return { bytes: w.encode("tfjs-graph", inputs, outputs, "vigil tfjs-graph converter"), inputs, outputs };
}
