import { hostTensor, toNumbers } from "../host-tensor.js";
import { type OpMapper, unsupported } from "../map-context.js";
import { attrInt } from "../tf-graph.js";

const END = Number.MAX_SAFE_INTEGER;

export interface SlicePlan {
  readonly starts: number[];
  readonly ends: number[];
  readonly axes: number[];
  readonly steps: number[];
  /** Axes TF's shrink_axis_mask removes after slicing. */
  readonly squeeze: number[];
}

/**
 * TF StridedSlice's sparse spec -> ONNX Slice (+ Squeeze). Specs before an ellipsis address axes
 * from the front; specs after it address axes from the back (negative ONNX axes), so the input
 * rank need not be known.
 */
export function stridedSlicePlan(
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  masks: { begin: number; end: number; ellipsis: number; shrink: number },
): SlicePlan {
  const plan: SlicePlan = { starts: [], ends: [], axes: [], steps: [], squeeze: [] };
  const k = begin.length;
  let ellipsisAt = -1;
  for (let i = 0; i < k; i++) if (masks.ellipsis & (1 << i)) ellipsisAt = i;
  for (let i = 0; i < k; i++) {
    if (i === ellipsisAt) continue;
    const axis = ellipsisAt >= 0 && i > ellipsisAt ? i - k : i;
    const step = strides[i] ?? 1;
    const bit = 1 << i;
    let start = masks.begin & bit ? (step > 0 ? 0 : END) : (begin[i] ?? 0);
    let stop = masks.end & bit ? (step > 0 ? END : -END) : (end[i] ?? END);
    if (masks.shrink & bit) {
      start = begin[i] ?? 0;
      stop = start === -1 ? END : start + 1;
      plan.squeeze.push(axis);
    }
    plan.starts.push(start);
    plan.ends.push(stop);
    plan.axes.push(axis);
    plan.steps.push(masks.shrink & bit ? 1 : step);
  }
  return plan;
}

export const stridedSlice: OpMapper = (node, ctx) => {
  if (attrInt(node, "new_axis_mask", 0) !== 0) unsupported(node, "new_axis_mask");
  const plan = stridedSlicePlan(
    toNumbers(ctx.constInput(node, 1)),
    toNumbers(ctx.constInput(node, 2)),
    toNumbers(ctx.constInput(node, 3)),
    {
      begin: attrInt(node, "begin_mask", 0),
      end: attrInt(node, "end_mask", 0),
      ellipsis: attrInt(node, "ellipsis_mask", 0),
      shrink: attrInt(node, "shrink_axis_mask", 0),
    },
  );
  const w = ctx.w;
  const c = (hint: string, v: number[]) => w.constant(`${node.name}/${hint}`, hostTensor("int64", [v.length], v));
  const inputs = [
    ctx.input(node, 0),
    c("starts", plan.starts),
    c("ends", plan.ends),
    c("axes", plan.axes),
    c("steps", plan.steps),
  ];
  if (plan.squeeze.length === 0) return w.node("Slice", inputs, [ctx.output(node)]);
  const sliced = w.op("Slice", inputs, `${node.name}/slice`);
  w.node("Squeeze", [sliced, c("squeeze", plan.squeeze)], [ctx.output(node)]);
};
