import { hostTensor, toNumbers } from "../host-tensor.js";
import { type MapContext, type OpMapper, unsupported } from "../map-context.js";
import { onnxElemType } from "../onnx-writer.js";
import { fromTfType } from "../tf-dtype.js";
import { attrInt, attrInts, attrString, attrType, type TfNode } from "../tf-graph.js";

function int64(ctx: MapContext, node: TfNode, hint: string, values: readonly number[]): string {
  return ctx.w.constant(`${node.name}/${hint}`, hostTensor("int64", [values.length], values));
}

function scalarAxis(ctx: MapContext, node: TfNode, i: number): number {
  const v = toNumbers(ctx.constInput(node, i))[0];
  return v ?? unsupported(node, "empty axis");
}

/** TF Pad paddings [[before, after] per dim] -> ONNX pads [befores..., afters...]. */
export function onnxPads(paddings: readonly number[]): number[] {
  const rank = paddings.length / 2;
  const pads: number[] = [];
  for (let d = 0; d < rank; d++) pads.push(paddings[2 * d] ?? 0);
  for (let d = 0; d < rank; d++) pads.push(paddings[2 * d + 1] ?? 0);
  return pads;
}

const reshape: OpMapper = (node, ctx) => {
  const known = ctx.maybeConst(node, 1);
  // ONNX wants an int64 shape; TF allows int32. A run-time shape gets a Cast.
  const shape = known
    ? int64(ctx, node, "shape", toNumbers(known))
    : ctx.w.op("Cast", [ctx.input(node, 1)], `${node.name}/shape64`, { to: { i: onnxElemType("int64") } });
  ctx.w.node("Reshape", [ctx.input(node, 0), shape], [ctx.output(node)]);
};

const pad: OpMapper = (node, ctx) => {
  const mode = node.op === "MirrorPad" ? attrString(node, "mode") : "CONSTANT";
  // ONNX "reflect" is TF REFLECT; TF SYMMETRIC repeats the edge pixel and has no ONNX twin.
  if (mode !== "CONSTANT" && mode !== "REFLECT") unsupported(node, `mode ${mode}`);
  const inputs = [ctx.input(node, 0), int64(ctx, node, "pads", onnxPads(toNumbers(ctx.constInput(node, 1))))];
  if (node.op === "PadV2") inputs.push(ctx.input(node, 2));
  ctx.w.node("Pad", inputs, [ctx.output(node)], { mode: { s: mode.toLowerCase() } });
};

const splitV: OpMapper = (node, ctx) => {
  const sizes = toNumbers(ctx.constInput(node, 1));
  if (sizes.some((s) => s < 0)) unsupported(node, "size_splits with -1 (inferred size) needs static shapes");
  const outputs = sizes.map((_, i) => ctx.output(node, i));
  ctx.w.node("Split", [ctx.input(node, 0), int64(ctx, node, "split", sizes)], outputs, {
    axis: { i: scalarAxis(ctx, node, 2) },
  });
};

const split: OpMapper = (node, ctx) => {
  const n = attrInt(node, "num_split");
  const outputs = Array.from({ length: n }, (_, i) => ctx.output(node, i));
  ctx.w.node("Split", [ctx.input(node, 1)], outputs, { axis: { i: scalarAxis(ctx, node, 0) } });
};

export const SHAPE_MAPPERS: Readonly<Record<string, OpMapper>> = {
  Reshape: reshape,
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  SplitV: splitV,
  Split: split,
  Transpose: (node, ctx) =>
    ctx.w.node("Transpose", [ctx.input(node, 0)], [ctx.output(node)], {
      perm: { ints: toNumbers(ctx.constInput(node, 1)) },
    }),
  ConcatV2: (node, ctx) => {
    const n = node.inputs.length - 1;
    const inputs = Array.from({ length: n }, (_, i) => ctx.input(node, i));
    ctx.w.node("Concat", inputs, [ctx.output(node)], { axis: { i: scalarAxis(ctx, node, n) } });
  },
  Pack: (node, ctx) => {
    const axis = attrInt(node, "axis", 0);
    const parts = node.inputs.map((_, i) =>
      ctx.w.op("Unsqueeze", [ctx.input(node, i), int64(ctx, node, `axis${i}`, [axis])], `${node.name}/u${i}`),
    );
    ctx.w.node("Concat", parts, [ctx.output(node)], { axis: { i: axis } });
  },
  Squeeze: (node, ctx) => {
    const axes = attrInts(node, "squeeze_dims", []);
    const inputs = [ctx.input(node, 0), ...(axes.length > 0 ? [int64(ctx, node, "axes", axes)] : [])];
    ctx.w.node("Squeeze", inputs, [ctx.output(node)]);
  },
  ExpandDims: (node, ctx) =>
    ctx.w.node(
      "Unsqueeze",
      [ctx.input(node, 0), int64(ctx, node, "axes", [scalarAxis(ctx, node, 1)])],
      [ctx.output(node)],
    ),
  Cast: (node, ctx) => {
    const to = fromTfType(attrType(node, "DstT")) ?? unsupported(node, `DstT ${attrType(node, "DstT")}`);
    ctx.w.node("Cast", [ctx.input(node, 0)], [ctx.output(node)], { to: { i: onnxElemType(to) } });
  },
  Shape: (node, ctx) => {
    const shape = ctx.w.op("Shape", [ctx.input(node, 0)], `${node.name}/shape`);
    ctx.w.node("Cast", [shape], [ctx.output(node)], { to: { i: onnxElemType(ctx.dtypeOf(node)) } });
  },
};
