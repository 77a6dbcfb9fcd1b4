import { hostTensor } from "../host-tensor.js";
import { type MapContext, unsupported } from "../map-context.js";
import type { TfNode } from "../tf-graph.js";
import { attrFloat } from "../tf-graph.js";

/**
 * Writes activation `act` of x to `out`. Used by plain activation ops and by the activation a
 * fused TF.js op carries (fused_ops[1]); `alphaInput` is where a fused Prelu's slopes are.
 */
export function emitActivation(
  ctx: MapContext,
  node: TfNode,
  act: string,
  x: string,
  out: string,
  alphaInput: number,
): void {
  const w = ctx.w;
  switch (act) {
    case "Relu":
    case "Sigmoid":
    case "Tanh":
    case "Elu":
      w.node(act, [x], [out]);
      return;
    case "Relu6":
      w.node(
        "Clip",
        [
          x,
          w.constant(`${node.name}/min`, hostTensor("float32", [], [0])),
          w.constant(`${node.name}/max`, hostTensor("float32", [], [6])),
        ],
        [out],
      );
      return;
    case "LeakyRelu":
      // Plain LeakyRelu carries "alpha"; fused ops carry "leakyrelu_alpha" (TF's default 0.2).
      w.node("LeakyRelu", [x], [out], {
        alpha: { f: attrFloat(node, node.op === "LeakyRelu" ? "alpha" : "leakyrelu_alpha", 0.2) },
      });
      return;
    case "Prelu":
      w.node("PRelu", [x, ctx.input(node, alphaInput)], [out]);
      return;
    default:
      unsupported(node, `fused activation ${act}`);
  }
}
