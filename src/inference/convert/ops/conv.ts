import type { HostTensor } from "../host-tensor.js";
import { type MapContext, type OpMapper, unsupported } from "../map-context.js";
import type { OnnxAttr } from "../onnx-writer.js";
import { attrInts, attrString, attrStrings, type TfNode } from "../tf-graph.js";
import { emitActivation } from "./activation.js";
import { spatial, toNchw, toNhwc } from "./layout.js";

/** TF filter [kh, kw, in, out] -> ONNX [out, in, kh, kw]. */
export function hwioToOihw(f: HostTensor): HostTensor {
  const [kh = 1, kw = 1, ci = 1, co = 1] = f.shape;
  const out = new Float32Array(f.data.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++)
          out[((o * ci + i) * kh + h) * kw + x] = Number(f.data[((h * kw + x) * ci + i) * co + o]);
  return { dtype: "float32", shape: [co, ci, kh, kw], data: out };
}

/** TF depthwise filter [kh, kw, in, mult] -> ONNX grouped [in * mult, 1, kh, kw] (out channel c*mult+m). */
export function hwcmToOihw(f: HostTensor): HostTensor {
  const [kh = 1, kw = 1, ci = 1, cm = 1] = f.shape;
  const out = new Float32Array(f.data.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < ci; c++)
        for (let m = 0; m < cm; m++)
          out[((c * cm + m) * kh + h) * kw + x] = Number(f.data[((h * kw + x) * ci + c) * cm + m]);
  return { dtype: "float32", shape: [ci * cm, 1, kh, kw], data: out };
}

/** ONNX padding attributes for a TF spatial op (SAME pads the extra pixel at the end, as SAME_UPPER). */
export function paddingAttrs(node: TfNode, ctx: MapContext): Record<string, OnnxAttr> {
  const folded = ctx.foldedPads(node);
  if (folded) return { pads: { ints: folded } };
  const padding = attrString(node, "padding");
  if (padding === "SAME") return { auto_pad: { s: "SAME_UPPER" } };
  if (padding === "VALID") return { pads: { ints: [0, 0, 0, 0] } };
  if (padding === "EXPLICIT") {
    const p = attrInts(node, "explicit_paddings");
    return { pads: { ints: [p[2] ?? 0, p[4] ?? 0, p[3] ?? 0, p[5] ?? 0] } };
  }
  return unsupported(node, `padding ${padding}`);
}

function requireNhwc(node: TfNode): void {
  const format = attrString(node, "data_format", "NHWC");
  if (format !== "NHWC") unsupported(node, `data_format ${format}`);
}

/**
 * Conv2D and DepthwiseConv2dNative, plain or fused (TF.js's _FusedConv2D and
 * FusedDepthwiseConv2dNative: fused_ops = [BiasAdd, activation?]), expanded to Conv (+ activation).
 */
export function convMapper(depthwise: boolean): OpMapper {
  return (node, ctx) => {
    requireNhwc(node);
    const w = ctx.w;
    const fused = attrStrings(node, "fused_ops");
    if (fused.length > 0 && fused[0] !== "BiasAdd") unsupported(node, `fused_ops ${fused.join(",")}`);
    const filter = ctx.constInput(node, 1);
    const weights = depthwise ? hwcmToOihw(filter) : hwioToOihw(filter);
    const x = toNchw(w, ctx.input(node, 0), node.name);
    const inputs = [x, w.constant(`${node.name}/filter`, weights)];
    if (fused[0] === "BiasAdd") inputs.push(ctx.input(node, 2));
    const [kh = 1, kw = 1, ci = 1] = filter.shape;
    const conv = w.op("Conv", inputs, `${node.name}/conv`, {
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: spatial(attrInts(node, "strides")) },
      dilations: { ints: spatial(attrInts(node, "dilations", [1, 1, 1, 1])) },
      group: { i: depthwise ? ci : 1 },
      ...paddingAttrs(node, ctx),
    });
    const act = fused[1];
    if (fused.length > 2) unsupported(node, `fused_ops ${fused.join(",")}`);
    const out = ctx.output(node);
    if (act === undefined) return toNhwc(w, conv, out);
    const nhwc = w.fresh(`${node.name}/nhwc`);
    toNhwc(w, conv, nhwc);
    emitActivation(ctx, node, act, nhwc, out, 3);
  };
}

export const CONV_MAPPERS: Readonly<Record<string, OpMapper>> = {
  Conv2D: convMapper(false),
  _FusedConv2D: convMapper(false),
  DepthwiseConv2dNative: convMapper(true),
  FusedDepthwiseConv2dNative: convMapper(true),
};
