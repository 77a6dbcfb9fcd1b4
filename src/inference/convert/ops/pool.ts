import type { OpMapper } from "../map-context.js";
import { attrInts } from "../tf-graph.js";
import { paddingAttrs } from "./conv.js";
import { spatial, toNchw, toNhwc } from "./layout.js";

/** MaxPool / AvgPool. TF's SAME average excludes the padding, as ONNX's count_include_pad=0 does. */
function poolMapper(onnxOp: "MaxPool" | "AveragePool"): OpMapper {
  return (node, ctx) => {
    const x = toNchw(ctx.w, ctx.input(node, 0), node.name);
    const pooled = ctx.w.op(onnxOp, [x], `${node.name}/pool`, {
      kernel_shape: { ints: spatial(attrInts(node, "ksize")) },
      strides: { ints: spatial(attrInts(node, "strides")) },
      ...paddingAttrs(node, ctx),
    });
    toNhwc(ctx.w, pooled, ctx.output(node));
  };
}

export const POOL_MAPPERS: Readonly<Record<string, OpMapper>> = {
  MaxPool: poolMapper("MaxPool"),
  AvgPool: poolMapper("AveragePool"),
};
