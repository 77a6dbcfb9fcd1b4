import { type HostTensor, toNumbers } from "./host-tensor.js";
import { attrString, type TensorRef, type TfNode } from "./tf-graph.js";

const CONVS = new Set(["Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"]);
/** Below this, a pad value acts as -inf for a max pool (float32's lowest is -3.4028e38). */
const MAX_POOL_NEUTRAL = -3.4e38;

/**
 * Folds an explicit NHWC Pad in front of a VALID convolution (zero padding) or max pool (padding
 * with -inf or float32's lowest, which a max never picks) into the op's own pads. Rewires the
 * op's input past the Pad; an unused Pad is then never emitted. Returns [top, left, bottom, right]
 * per folded op.
 */
export function foldPads(
  nodes: ReadonlyMap<string, TfNode>,
  constantOf: (ref: TensorRef) => HostTensor | undefined,
): Map<string, number[]> {
  const folds = new Map<string, number[]>();
  for (const node of nodes.values()) {
    const isConv = CONVS.has(node.op);
    if (!isConv && node.op !== "MaxPool") continue;
    if (attrString(node, "padding", "") !== "VALID" || attrString(node, "data_format", "NHWC") !== "NHWC") continue;
    const first = node.inputs[0];
    const pad = first && first.index === 0 ? nodes.get(first.node) : undefined;
    if (!pad || (pad.op !== "Pad" && pad.op !== "PadV2")) continue;
    const paddingsRef = pad.inputs[1];
    const paddings = paddingsRef ? constantOf(paddingsRef) : undefined;
    if (!paddings || paddings.shape.join() !== "4,2") continue;
    const p = toNumbers(paddings);
    if (p.some((v) => v < 0) || p[0] !== 0 || p[1] !== 0 || p[6] !== 0 || p[7] !== 0) continue;
    const valueRef = pad.inputs[2];
    const value = pad.op === "Pad" ? 0 : valueRef ? constantOf(valueRef)?.data[0] : undefined;
    if (value === undefined) continue;
    if (isConv ? Number(value) !== 0 : Number(value) > MAX_POOL_NEUTRAL) continue;
    const source = pad.inputs[0];
    if (!source) continue;
    folds.set(node.name, [p[2] ?? 0, p[4] ?? 0, p[3] ?? 0, p[5] ?? 0]);
    node.inputs[0] = source;
  }
  return folds;
}
