// The frame's rearrangement and normalisation moved into the model: ONNX Runtime running the
// rewritten graph on rgb24 frame bytes must give what the JavaScript lookup tables give on the
// same frame. Frames are 3x5, not square, so a height/width mix-up cannot pass.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import * as ort from "onnxruntime-node";
import { frameShape, normalisationModel, withUint8Input } from "../../src/inference/convert/uint8-input.js";
import { OnnxGraphWriter } from "../../src/inference/convert/onnx-writer.js";
import { hostTensor } from "../../src/inference/convert/host-tensor.js";
import type { InputEncoding } from "../../src/inference/model-input.js";
import { pixelTables, rgbToTensor } from "../helpers/float-preprocess.js";

const H = 3;
const W = 5;
const PIXELS = H * W;
const NANODET: InputEncoding = {
  layout: "NCHW",
  color: "BGR",
  scale: 1,
  offset: 0,
  mean: [103.53, 116.28, 123.675],
  std: [57.375, 57.12, 58.395],
};
const shapeOf = (layout: InputEncoding["layout"]): number[] => (layout === "NCHW" ? [1, 3, H, W] : [1, H, W, 3]);
const FRAME = [1, H, W, 3];

async function runOnce(model: Uint8Array, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ["cpu"], logSeverityLevel: 3 });
  try {
    const data = (await session.run(feeds))[output]?.data;
    assert.ok(data instanceof Float32Array);
    return data;
  } finally {
    await session.release();
  }
}

/** A float model with one image input `x` whose graph also uses the names the rewrite would pick first. */
function floatModel(layout: InputEncoding["layout"]): Uint8Array {
  const w = new OnnxGraphWriter();
  w.claim("x");
  const taken = w.initializer("x__vigil_float", hostTensor("float32", [1], [0]));
  w.node("Add", ["x", taken], ["y"]);
  return w.encode(
    "t",
    [{ name: "x", dtype: "float32", shape: shapeOf(layout) }],
    [{ name: "y", dtype: "float32", shape: shapeOf(layout) }],
    "test",
  );
}

const closeTo = (a: Float32Array, b: Float32Array): void => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) =>
    assert.ok(Math.abs(v - (b[i] as number)) <= 1e-5 * Math.max(1, Math.abs(v)), `${i}: ${v} vs ${b[i]}`),
  );
};

const encodings = fc.record({
  layout: fc.constantFrom("NCHW" as const, "NHWC" as const),
  color: fc.constantFrom("RGB" as const, "BGR" as const),
  scale: fc.double({ min: -2, max: 2, noNaN: true }),
  offset: fc.double({ min: -200, max: 200, noNaN: true }),
  mean: fc.array(fc.double({ min: -200, max: 200, noNaN: true }), { minLength: 3, maxLength: 3 }),
  std: fc.array(fc.double({ min: 0.1, max: 100, noNaN: true }), { minLength: 3, maxLength: 3 }),
});

void describe("the uint8 image input baked into a model", () => {
  void it("rearranges and normalises frame bytes as the manifest's lookup tables do, for any layout, colour order and arithmetic", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: PIXELS * 3, maxLength: PIXELS * 3 }), encodings, async (rgb, enc) => {
        assert.deepEqual(frameShape({ shape: shapeOf(enc.layout), encoding: enc }), FRAME);
        const graph = await runOnce(
          normalisationModel({ shape: shapeOf(enc.layout), encoding: enc }),
          { image: new ort.Tensor("uint8", rgb, FRAME) },
          "tensor",
        );
        closeTo(graph, rgbToTensor(rgb, new Float32Array(rgb.length), pixelTables(enc)));
      }),
      { numRuns: 30 },
    );
  });

  void it("keeps the input's name, feeds the old graph the normalised tensor and avoids names already taken", async () => {
    // Per-channel (NanoDet's mean/std) and the same for every channel (BlazeFace's scale/offset), in both layouts.
    const cases = (["NCHW", "NHWC"] as const).flatMap((layout) => [
      { ...NANODET, layout },
      { layout, color: "RGB" as const, scale: 1 / 127.5, offset: -1 },
    ]);
    for (const enc of cases) {
      const { layout } = enc;
      const rgb = Uint8Array.from({ length: PIXELS * 3 }, (_, i) => (i * 37) % 256);
      const rewritten = withUint8Input(floatModel(layout), { name: "x", shape: shapeOf(layout), encoding: enc });
      const y = await runOnce(rewritten, { x: new ort.Tensor("uint8", rgb, FRAME) }, "y");
      // The graph adds the initializer named x__vigil_float (0): a rewrite reusing that name would break it.
      closeTo(y, rgbToTensor(rgb, new Float32Array(rgb.length), pixelTables(enc)));
    }
  });

  void it("refuses a model without that input, or whose input is not float32", () => {
    assert.throws(
      () => withUint8Input(floatModel("NCHW"), { name: "image", shape: shapeOf("NCHW"), encoding: NANODET }),
      /no input image \(has x\)/,
    );
    const once = withUint8Input(floatModel("NCHW"), { name: "x", shape: shapeOf("NCHW"), encoding: NANODET });
    assert.throws(() => withUint8Input(once, { name: "x", shape: shapeOf("NCHW"), encoding: NANODET }), /not float32/);
    assert.throws(() =>
      withUint8Input(Uint8Array.from([1, 2, 3]), { name: "x", shape: shapeOf("NCHW"), encoding: NANODET }),
    );
  });
});
