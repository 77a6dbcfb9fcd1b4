// Each TF op mapping checked numerically against TF.js on a tiny hand-built graph.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCodes } from "../../src/core/errors.js";
import { expectVigil } from "../helpers/expect-vigil.js";
import { bool, FLOAT, flt, int, ints, str, strs, TinyGraph, wave } from "../helpers/tiny-graph.js";

const TOL = 1e-5;

function conv(
  name: string,
  input: string,
  filter: string,
  padding: string,
  strides = [1, 1, 1, 1],
  extra: Record<string, unknown> = {},
) {
  return [
    name,
    "Conv2D",
    [input, filter],
    {
      ...FLOAT,
      padding: str(padding),
      strides: ints(strides),
      data_format: str("NHWC"),
      dilations: ints([1, 1, 1, 1]),
      ...extra,
    },
  ] as const;
}

void describe("TF op -> ONNX mapping, against TF.js", () => {
  void it("Conv2D SAME with stride 2 and an odd total padding pads the extra pixel at the end, as TF does", async () => {
    const [n, op, inp, attr] = conv("y", "x", "w", "SAME", [1, 2, 2, 1]);
    // 6 -> 3 with a 3x3 kernel needs one pixel of padding in total: TF puts it at the end.
    const g = new TinyGraph()
      .input("x", [1, 6, 6, 3])
      .constant("w", [3, 3, 3, 4], wave(108, 2))
      .op(n, op, [...inp], attr);
    const r = await g.compare("x", [1, 6, 6, 3], ["y"]);
    assert.equal(r.outputs[0]?.length, 3 * 3 * 4);
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  void it("Conv2D VALID with dilation 2", async () => {
    const [n, op, inp, attr] = conv("y", "x", "w", "VALID", [1, 1, 1, 1], { dilations: ints([1, 2, 2, 1]) });
    const g = new TinyGraph()
      .input("x", [1, 9, 8, 2])
      .constant("w", [3, 3, 2, 3], wave(54, 4))
      .op(n, op, [...inp], attr);
    const r = await g.compare("x", [1, 9, 8, 2], ["y"]);
    assert.equal(r.outputs[0]?.length, 5 * 4 * 3);
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  void it("folds a zero Pad in front of a VALID Conv2D into the convolution's pads", async () => {
    const [n, op, inp, attr] = conv("y", "p", "w", "VALID", [1, 2, 2, 1]);
    const g = new TinyGraph()
      .input("x", [1, 6, 6, 2])
      .constant("pads", [4, 2], [0, 0, 1, 2, 0, 1, 0, 0], "int32")
      .op("p", "Pad", ["x", "pads"])
      .constant("w", [3, 3, 2, 2], wave(36, 5))
      .op(n, op, [...inp], attr);
    const r = await g.compare("x", [1, 6, 6, 2], ["y"]);
    assert.ok(!r.onnxOps.includes("Pad"), `Pad was not folded: ${r.onnxOps.join(",")}`);
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  void it("folds a -inf PadV2 into MaxPool but keeps a zero Pad before MaxPool (negative inputs)", async () => {
    const pool = {
      ...FLOAT,
      ksize: ints([1, 3, 3, 1]),
      strides: ints([1, 2, 2, 1]),
      padding: str("VALID"),
      data_format: str("NHWC"),
    };
    const folded = new TinyGraph()
      .input("x", [1, 6, 6, 2])
      .constant("pads", [4, 2], [0, 0, 1, 1, 1, 1, 0, 0], "int32")
      .constant("v", [], [-3.4028234663852886e38])
      .op("p", "PadV2", ["x", "pads", "v"])
      .op("y", "MaxPool", ["p"], pool);
    const a = await folded.compare("x", [1, 6, 6, 2], ["y"]);
    assert.ok(!a.onnxOps.includes("Pad"));
    assert.ok(a.maxDiff < TOL, `max diff ${a.maxDiff}`);
    const kept = new TinyGraph()
      .input("x", [1, 6, 6, 2])
      .constant("pads", [4, 2], [0, 0, 1, 1, 1, 1, 0, 0], "int32")
      .op("p", "Pad", ["x", "pads"])
      .op("y", "MaxPool", ["p"], pool);
    const b = await kept.compare("x", [1, 6, 6, 2], ["y"]);
    assert.ok(b.onnxOps.includes("Pad"));
    assert.ok(b.maxDiff < TOL, `max diff ${b.maxDiff}`);
  });

  void it("MaxPool and AvgPool with SAME padding", async () => {
    const attr = {
      ...FLOAT,
      ksize: ints([1, 3, 3, 1]),
      strides: ints([1, 2, 2, 1]),
      padding: str("SAME"),
      data_format: str("NHWC"),
    };
    const g = new TinyGraph().input("x", [1, 6, 8, 3]).op("m", "MaxPool", ["x"], attr).op("a", "AvgPool", ["x"], attr);
    const r = await g.compare("x", [1, 6, 8, 3], ["m", "a"]);
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  void it("expands fused convolutions: _FusedConv2D BiasAdd+Relu6 / LeakyRelu, depthwise BiasAdd+Prelu with multiplier 2", async () => {
    const base = {
      ...FLOAT,
      padding: str("SAME"),
      strides: ints([1, 1, 1, 1]),
      data_format: str("NHWC"),
      dilations: ints([1, 1, 1, 1]),
    };
    const g = new TinyGraph()
      .input("x", [1, 5, 5, 3])
      .constant(
        "w",
        [3, 3, 3, 4],
        wave(108, 6).map((v) => v * 3),
      )
      .constant("b", [4], [0.1, -0.2, 0.3, 0])
      .op("c6", "_FusedConv2D", ["x", "w", "b"], { ...base, fused_ops: strs(["BiasAdd", "Relu6"]), num_args: int(1) })
      .op("cl", "_FusedConv2D", ["x", "w", "b"], {
        ...base,
        fused_ops: strs(["BiasAdd", "LeakyRelu"]),
        num_args: int(1),
        leakyrelu_alpha: flt(0.1),
      })
      .constant("dw", [3, 3, 3, 2], wave(54, 7))
      .constant("db", [6], [0, 0.1, 0.2, -0.1, -0.2, 0.05])
      .constant("alpha", [6], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
      .op("dp", "FusedDepthwiseConv2dNative", ["x", "dw", "db", "alpha"], {
        ...base,
        fused_ops: strs(["BiasAdd", "Prelu"]),
        num_args: int(2),
      });
    const r = await g.compare("x", [1, 5, 5, 3], ["c6", "cl", "dp"]);
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  void it("SplitV into unequal parts on the last axis", async () => {
    const g = new TinyGraph()
      .input("x", [1, 4, 5])
      .constant("sizes", [2], [2, 3], "int32")
      .constant("axis", [], [-1], "int32")
      .op("s", "SplitV", ["x", "sizes", "axis"], { ...FLOAT, num_split: int(2) })
      .op("a", "Sigmoid", ["s:0"])
      .op("b", "Identity", ["s:1"]);
    const r = await g.compare("x", [1, 4, 5], ["a", "b"]);
    assert.equal(r.outputs[0]?.length, 8);
    assert.equal(r.outputs[1]?.length, 12);
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  for (const [label, op, from, to, flags] of [
    ["bilinear, half-pixel centres, 5 -> 8", "ResizeBilinear", 5, 8, { half_pixel_centers: bool(true) }],
    ["bilinear, align corners, 5 -> 9", "ResizeBilinear", 5, 9, { align_corners: bool(true) }],
    ["bilinear, asymmetric, 4 -> 6", "ResizeBilinear", 4, 6, {}],
    ["nearest, half-pixel centres, 4 -> 8", "ResizeNearestNeighbor", 4, 8, { half_pixel_centers: bool(true) }],
    ["nearest, half-pixel centres, 5 -> 7", "ResizeNearestNeighbor", 5, 7, { half_pixel_centers: bool(true) }],
    ["nearest, asymmetric, 5 -> 7", "ResizeNearestNeighbor", 5, 7, {}],
  ] as const) {
    void it(`${op} ${label}`, async () => {
      const g = new TinyGraph()
        .input("x", [1, from, from, 2])
        .constant("size", [2], [to, to], "int32")
        .op("y", op, ["x", "size"], { ...FLOAT, ...flags });
      const r = await g.compare("x", [1, from, from, 2], ["y"]);
      assert.equal(r.outputs[0]?.length, to * to * 2);
      assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
    });
  }

  void it("StridedSlice with an ellipsis, masks and a shrunk axis", async () => {
    const g = new TinyGraph()
      .input("x", [1, 6, 5])
      .constant("b", [2], [0, 1], "int32")
      .constant("e", [2], [0, 4], "int32")
      .constant("s", [2], [1, 2], "int32")
      .op("y", "StridedSlice", ["x", "b", "e", "s"], {
        ...FLOAT,
        ellipsis_mask: int(1),
        begin_mask: int(0),
        end_mask: int(0),
        shrink_axis_mask: int(0),
        new_axis_mask: int(0),
      })
      .constant("b2", [3], [0, 2, 3], "int32")
      .constant("e2", [3], [0, 5, 4], "int32")
      .constant("s2", [3], [1, 1, 1], "int32")
      .op("z", "StridedSlice", ["x", "b2", "e2", "s2"], {
        ...FLOAT,
        begin_mask: int(1),
        end_mask: int(1),
        shrink_axis_mask: int(4),
        ellipsis_mask: int(0),
        new_axis_mask: int(0),
      });
    const r = await g.compare("x", [1, 6, 5], ["y", "z"]);
    assert.equal(r.outputs[0]?.length, 6 * 2);
    assert.equal(r.outputs[1]?.length, 3);
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  void it("_FusedMatMul with transpose_b, BiasAdd and Relu; Sum and Mean with keep_dims", async () => {
    const g = new TinyGraph()
      .input("x", [2, 6])
      .constant("w", [4, 6], wave(24, 8))
      .constant("b", [4], [0.1, 0, -0.1, 0.2])
      .op("m", "_FusedMatMul", ["x", "w", "b"], {
        ...FLOAT,
        transpose_a: bool(false),
        transpose_b: bool(true),
        fused_ops: strs(["BiasAdd", "Relu"]),
        num_args: int(1),
      })
      .constant("ax", [1], [1], "int32")
      .op("s", "Sum", ["x", "ax"], { ...FLOAT, keep_dims: bool(true) })
      .op("a", "Mean", ["x", "ax"], { ...FLOAT, keep_dims: bool(false) });
    const r = await g.compare("x", [2, 6], ["m", "s", "a"]);
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  void it("folds SparseToDense + AddV2 shape arithmetic into a constant Reshape shape", async () => {
    const g = new TinyGraph()
      .input("x", [1, 4, 6])
      .constant("where", [0, 1], [], "int32", "DT_INT64")
      .constant("dense_shape", [1], [3], "int32", "DT_INT64")
      .constant("vals", [0], [], "int32", "DT_INT64")
      .constant("zero", [], [0], "int32", "DT_INT64")
      .op("sd", "SparseToDense", ["where", "dense_shape", "vals", "zero"], {
        T: { type: "DT_INT64" },
        Tindices: { type: "DT_INT64" },
      })
      .constant("base", [3], [1, 8, 3], "int32", "DT_INT64")
      .op("shape", "AddV2", ["base", "sd"], { T: { type: "DT_INT64" } })
      .op("y", "Reshape", ["x", "shape"], { ...FLOAT, Tshape: { type: "DT_INT64" } });
    const r = await g.compare("x", [1, 4, 6], ["y"]);
    assert.ok(!r.onnxOps.includes("Add"), "shape arithmetic was emitted instead of folded");
    assert.ok(r.maxDiff < TOL, `max diff ${r.maxDiff}`);
  });

  void it("cuts the graph at a chosen output and emits only what it needs", async () => {
    const g = new TinyGraph().input("x", [1, 3]).op("a", "Sigmoid", ["x"]).op("b", "Tanh", ["a"]).op("c", "Exp", ["b"]);
    const r = await g.compare("x", [1, 3], ["a"]);
    assert.deepEqual(r.onnxOps, ["Sigmoid"]);
    assert.ok(r.maxDiff < TOL);
  });

  void it("refuses an op it cannot translate, naming the op and the node", () => {
    const g = new TinyGraph()
      .input("x", [1, 3])
      .op("weird/node", "NonMaxSuppressionV5", ["x"])
      .op("y", "Relu", ["weird/node"]);
    const err = expectVigil(() => g.convert({ outputs: ["y"] }), ErrorCodes.MODEL_CONVERT_UNSUPPORTED_OP);
    assert.equal(err.details?.op, "NonMaxSuppressionV5");
    assert.equal(err.details?.node, "weird/node");
    assert.match(err.message, /NonMaxSuppressionV5.*weird\/node/);
  });

  void it("refuses a fused op it cannot expand rather than dropping the activation", () => {
    const g = new TinyGraph()
      .input("x", [1, 3, 3, 1])
      .constant("w", [1, 1, 1, 1], [1])
      .constant("b", [1], [0])
      .op("y", "_FusedConv2D", ["x", "w", "b"], {
        ...FLOAT,
        padding: str("VALID"),
        strides: ints([1, 1, 1, 1]),
        fused_ops: strs(["BiasAdd", "Swish"]),
        num_args: int(1),
      });
    const err = expectVigil(() => g.convert({ outputs: ["y"] }), ErrorCodes.MODEL_CONVERT_UNSUPPORTED_OP);
    assert.equal(err.details?.node, "y");
  });
});
