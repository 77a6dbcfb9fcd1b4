import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { guessLayout, numberList, resolveInputShape } from "../../src/cli/models-import.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { broadcastShape, FOLDERS } from "../../src/inference/convert/const-fold.js";
import { hostTensor } from "../../src/inference/convert/host-tensor.js";
import { hwcmToOihw, hwioToOihw } from "../../src/inference/convert/ops/conv.js";
import { resizeAttrs } from "../../src/inference/convert/ops/resize.js";
import { onnxPads } from "../../src/inference/convert/ops/shape.js";
import { stridedSlicePlan } from "../../src/inference/convert/ops/strided-slice.js";
import { parseRef, refName } from "../../src/inference/convert/tf-graph.js";
import { expectVigil } from "../helpers/expect-vigil.js";

const dim = fc.integer({ min: 1, max: 4 });

void describe("converter pure logic", () => {
  void it("filter relayout moves every weight to its ONNX position", () => {
    fc.assert(
      fc.property(dim, dim, dim, dim, (kh, kw, ci, co) => {
        const n = kh * kw * ci * co;
        const w = hwioToOihw(
          hostTensor(
            "float32",
            [kh, kw, ci, co],
            Array.from({ length: n }, (_, i) => i),
          ),
        );
        assert.deepEqual(w.shape, [co, ci, kh, kw]);
        for (let h = 0; h < kh; h++)
          for (let x = 0; x < kw; x++)
            for (let i = 0; i < ci; i++)
              for (let o = 0; o < co; o++)
                assert.equal(w.data[((o * ci + i) * kh + h) * kw + x], ((h * kw + x) * ci + i) * co + o);
        const d = hwcmToOihw(
          hostTensor(
            "float32",
            [kh, kw, ci, co],
            Array.from({ length: n }, (_, i) => i),
          ),
        );
        assert.deepEqual(d.shape, [ci * co, 1, kh, kw]);
        assert.deepEqual(
          [...d.data].sort((a, b) => a - b),
          Array.from({ length: n }, (_, i) => i),
        );
      }),
    );
  });

  void it("TF paddings [[b, a], ...] become ONNX [b..., a...]", () => {
    assert.deepEqual(onnxPads([0, 0, 1, 2, 3, 4, 0, 0]), [0, 1, 3, 0, 0, 2, 4, 0]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(9), fc.nat(9)), { minLength: 1, maxLength: 5 }), (pairs) => {
        const pads = onnxPads(pairs.flat());
        pairs.forEach(([b, a], d) => {
          assert.equal(pads[d], b);
          assert.equal(pads[d + pairs.length], a);
        });
      }),
    );
  });

  void it("broadcasting follows numpy: equal or 1, aligned from the right", () => {
    assert.deepEqual(broadcastShape([3], [2, 1]), [2, 3]);
    assert.equal(broadcastShape([2], [3]), undefined);
    fc.assert(fc.property(fc.array(dim, { maxLength: 4 }), (s) => assert.deepEqual(broadcastShape(s, []), s)));
  });

  void it("folds SparseToDense with no indices to its default, and int AddV2 elementwise", () => {
    const dense = FOLDERS.SparseToDense?.(
      [
        hostTensor("int64", [0, 1], []),
        hostTensor("int64", [1], [3]),
        hostTensor("int64", [0], []),
        hostTensor("int64", [], [0]),
      ],
      "int64",
    );
    assert.deepEqual(Array.from(dense?.data ?? []), [0, 0, 0]);
    const sum = FOLDERS.AddV2?.(
      [hostTensor("int64", [3], [1, 2704, 80]), dense ?? hostTensor("int64", [3], [0, 0, 0])],
      "int64",
    );
    assert.deepEqual(Array.from(sum?.data ?? []), [1, 2704, 80]);
    const placed = FOLDERS.SparseToDense?.(
      [
        hostTensor("int64", [2, 1], [0, 2]),
        hostTensor("int64", [1], [4]),
        hostTensor("int64", [2], [7, 9]),
        hostTensor("int64", [], [-1]),
      ],
      "int64",
    );
    assert.deepEqual(Array.from(placed?.data ?? []), [7, -1, 9, -1]);
  });

  void it("StridedSlice specs after an ellipsis address axes from the back", () => {
    const plan = stridedSlicePlan([0, 0], [0, 2], [1, 1], { begin: 0, end: 0, ellipsis: 1, shrink: 0 });
    assert.deepEqual(plan, { starts: [0], ends: [2], axes: [-1], steps: [1], squeeze: [] });
    const shrink = stridedSlicePlan([0, 3], [0, 4], [1, 1], { begin: 1, end: 1, ellipsis: 0, shrink: 2 });
    assert.deepEqual(shrink.squeeze, [1]);
    assert.deepEqual(shrink.starts, [0, 3]);
    assert.deepEqual(shrink.ends, [Number.MAX_SAFE_INTEGER, 4]);
  });

  void it("resize flags map to the ONNX modes TF semantics need", () => {
    assert.deepEqual(resizeAttrs(true, false, true), {
      mode: { s: "nearest" },
      coordinate_transformation_mode: { s: "tf_half_pixel_for_nn" },
      nearest_mode: { s: "floor" },
    });
    assert.deepEqual(resizeAttrs(false, false, true).coordinate_transformation_mode, { s: "half_pixel" });
    assert.deepEqual(resizeAttrs(false, true, false).coordinate_transformation_mode, { s: "align_corners" });
  });

  void it("tensor refs round-trip: name[:index]", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_/]{0,20}$/), fc.nat(9), (node, index) =>
        assert.deepEqual(parseRef(refName({ node, index })), { node, index }),
      ),
    );
    assert.deepEqual(parseRef("a/b"), { node: "a/b", index: 0 });
  });

  void it("import: input shape from the model with batch 1, or from --input-shape; layout guessed from channels", () => {
    assert.deepEqual(resolveInputShape(["batch", 3, 640, 640], undefined), [1, 3, 640, 640]);
    assert.deepEqual(resolveInputShape(["batch", 3, "h", "w"], [1, 3, 320, 320]), [1, 3, 320, 320]);
    expectVigil(() => resolveInputShape([1, 3, "h", "w"], undefined), ErrorCodes.VALIDATION);
    expectVigil(() => resolveInputShape([1, 3, 8, 8], [1, 3, 8]), ErrorCodes.VALIDATION);
    assert.equal(guessLayout([1, 3, 640, 640]), "NCHW");
    assert.equal(guessLayout([1, 256, 256, 3]), "NHWC");
    expectVigil(() => guessLayout([1, 5, 5, 5]), ErrorCodes.VALIDATION);
    assert.deepEqual(numberList("--input-shape", "1,3,640,640"), [1, 3, 640, 640]);
    assert.deepEqual(numberList("--input-shape", "1x3x64x64"), [1, 3, 64, 64]);
    expectVigil(() => numberList("--mean", "a,b"), ErrorCodes.VALIDATION);
  });
});
