import { hostTensor, toNumbers } from "../host-tensor.js";
import { type OpMapper, unsupported } from "../map-context.js";
import { attrBool, attrStrings } from "../tf-graph.js";
import { emitActivation } from "./activation.js";

/** Opset 13: ReduceSum takes axes as an input, the other reductions as an attribute. */
function reduce(onnxOp: string): OpMapper {
  return (node, ctx) => {
    const axes = toNumbers(ctx.constInput(node, 1));
    const keepdims = { i: attrBool(node, "keep_dims") ? 1 : 0 };
    if (onnxOp === "ReduceSum") {
      const axesInput = ctx.w.constant(`${node.name}/axes`, hostTensor("int64", [axes.length], axes));
      return ctx.w.node(onnxOp, [ctx.input(node, 0), axesInput], [ctx.output(node)], { keepdims });
    }
    ctx.w.node(onnxOp, [ctx.input(node, 0)], [ctx.output(node)], { axes: { ints: axes }, keepdims });
  };
}

/** MatMul and TF.js's _FusedMatMul (fused_ops = [BiasAdd, activation?]) for rank-2 operands. */
const matMul: OpMapper = (node, ctx) => {
  const w = ctx.w;
  const operand = (i: number, flag: string) => {
    const v = ctx.input(node, i);
    return attrBool(node, flag) ? w.op("Transpose", [v], `${node.name}/t${i}`, { perm: { ints: [1, 0] } }) : v;
  };
  const fused = attrStrings(node, "fused_ops");
  if (fused.length > 2 || (fused.length > 0 && fused[0] !== "BiasAdd"))
    unsupported(node, `fused_ops ${fused.join(",")}`);
  const a = operand(0, "transpose_a");
  const b = operand(1, "transpose_b");
  const out = ctx.output(node);
  if (fused.length === 0) return w.node("MatMul", [a, b], [out]);
  const product = w.op("MatMul", [a, b], `${node.name}/matmul`);
  const act = fused[1];
  if (act === undefined) return w.node("Add", [product, ctx.input(node, 2)], [out]);
  const biased = w.op("Add", [product, ctx.input(node, 2)], `${node.name}/bias`);
  emitActivation(ctx, node, act, biased, out, 3);
};

export const REDUCE_MATMUL_MAPPERS: Readonly<Record<string, OpMapper>> = {
  Sum: reduce("ReduceSum"),
  Mean: reduce("ReduceMean"),
  Max: reduce("ReduceMax"),
  Min: reduce("ReduceMin"),
  Prod: reduce("ReduceProd"),
  MatMul: matMul,
  _FusedMatMul: matMul,
};
