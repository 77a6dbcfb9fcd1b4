import { hostTensor, toNumbers } from "../host-tensor.js";
import type { OpMapper } from "../map-context.js";
import type { OnnxAttr } from "../onnx-writer.js";
import { attrBool, type TfNode } from "../tf-graph.js";
import { toNchw, toNhwc } from "./layout.js";

/**
 * TF's resize flags -> ONNX Resize's coordinate transformation. Nearest with half-pixel centres
 * floors (x + 0.5) * scale, which is ONNX's tf_half_pixel_for_nn with nearest_mode floor, not
 * half_pixel; align_corners rounds half away from zero.
 */
export function resizeAttrs(nearest: boolean, alignCorners: boolean, halfPixel: boolean): Record<string, OnnxAttr> {
  if (nearest) {
    if (alignCorners)
      return {
        mode: { s: "nearest" },
        coordinate_transformation_mode: { s: "align_corners" },
        nearest_mode: { s: "round_prefer_ceil" },
      };
    return {
      mode: { s: "nearest" },
      coordinate_transformation_mode: { s: halfPixel ? "tf_half_pixel_for_nn" : "asymmetric" },
      nearest_mode: { s: "floor" },
    };
  }
  return {
    mode: { s: "linear" },
    coordinate_transformation_mode: { s: alignCorners ? "align_corners" : halfPixel ? "half_pixel" : "asymmetric" },
  };
}

function resizeMapper(nearest: boolean): OpMapper {
  return (node: TfNode, ctx) => {
    const w = ctx.w;
    const size = toNumbers(ctx.constInput(node, 1));
    const x = toNchw(w, ctx.input(node, 0), node.name);
    // ONNX wants the full NCHW size: keep N and C from the input at run time, append [h, w].
    const shape = w.op("Shape", [x], `${node.name}/shape`);
    const nc = w.op(
      "Slice",
      [
        shape,
        w.constant(`${node.name}/s0`, hostTensor("int64", [1], [0])),
        w.constant(`${node.name}/s2`, hostTensor("int64", [1], [2])),
      ],
      `${node.name}/nc`,
    );
    const sizes = w.op(
      "Concat",
      [nc, w.constant(`${node.name}/hw`, hostTensor("int64", [2], size))],
      `${node.name}/sizes`,
      { axis: { i: 0 } },
    );
    const attrs = resizeAttrs(nearest, attrBool(node, "align_corners"), attrBool(node, "half_pixel_centers"));
    const resized = w.op("Resize", [x, "", "", sizes], `${node.name}/resize`, attrs);
    toNhwc(w, resized, ctx.output(node));
  };
}

export const RESIZE_MAPPERS: Readonly<Record<string, OpMapper>> = {
  ResizeBilinear: resizeMapper(false),
  ResizeNearestNeighbor: resizeMapper(true),
};
