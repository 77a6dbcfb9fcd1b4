import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { pixelTables, rgbToTensor, rgbToTensorData } from "../helpers/float-preprocess.js";

const NANODET = {
  layout: "NCHW",
  color: "BGR",
  scale: 1,
  offset: 0,
  mean: [103.53, 116.28, 123.675],
  std: [57.375, 57.12, 58.395],
} as const;

void describe("the float reference of the manifest input arithmetic", () => {
  void it("writes NCHW planes in tensor channel order with BGR swap, mean and std (NanoDet)", () => {
    // Two pixels: pure red, then (10, 20, 30).
    const rgb = Uint8Array.from([255, 0, 0, 10, 20, 30]);
    const out = rgbToTensor(rgb, new Float32Array(6), pixelTables(NANODET));
    const expect = [
      (0 - 103.53) / 57.375,
      (30 - 103.53) / 57.375,
      (0 - 116.28) / 57.12,
      (20 - 116.28) / 57.12,
      (255 - 123.675) / 58.395,
      (10 - 123.675) / 58.395,
    ];
    out.forEach((v, i) => assert.ok(Math.abs(v - expect[i]!) < 1e-5, `${i}: ${v} vs ${expect[i]}`));
  });

  void it("NHWC with scale and offset matches the BlazeFace path it replaces", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 3, maxLength: 300 }).filter((a) => a.length % 3 === 0),
        fc.boolean(),
        (rgb, bgr) => {
          const enc = { layout: "NHWC", color: bgr ? "BGR" : "RGB", scale: 1 / 127.5, offset: -1 } as const;
          const a = rgbToTensor(rgb, new Float32Array(rgb.length), pixelTables(enc));
          const b = rgbToTensorData(rgb, new Float32Array(rgb.length), enc.scale, enc.offset, bgr);
          a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6));
        },
      ),
    );
  });

  void it("NCHW is the transpose of NHWC for any encoding", () => {
    const enc = fc.record({
      color: fc.constantFrom("RGB" as const, "BGR" as const),
      scale: fc.double({ min: -2, max: 2, noNaN: true }),
      offset: fc.double({ min: -200, max: 200, noNaN: true }),
      mean: fc.array(fc.double({ min: -200, max: 200, noNaN: true }), { minLength: 3, maxLength: 3 }),
      std: fc.array(fc.double({ min: 0.1, max: 100, noNaN: true }), { minLength: 3, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 3, maxLength: 300 }).filter((a) => a.length % 3 === 0),
        enc,
        (rgb, e) => {
          const hwc = rgbToTensor(rgb, new Float32Array(rgb.length), pixelTables({ ...e, layout: "NHWC" }));
          const chw = rgbToTensor(rgb, new Float32Array(rgb.length), pixelTables({ ...e, layout: "NCHW" }));
          const n = rgb.length / 3;
          for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) assert.equal(chw[c * n + i], hwc[i * 3 + c]);
        },
      ),
    );
  });

  void it("refuses a frame of the wrong size and unusable std values", () => {
    assert.throws(() => rgbToTensor(new Uint8Array(6), new Float32Array(9), pixelTables(NANODET)), RangeError);
    assert.throws(() => pixelTables({ ...NANODET, std: [1, 0, 1] }), RangeError);
    assert.throws(() => pixelTables({ ...NANODET, mean: [1, 2] }), RangeError);
  });
});
