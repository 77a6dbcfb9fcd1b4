import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { rgbToImageBytes } from "../../src/inference/image-bytes.js";

/** What each layout means, pixel by pixel: tensor channel c of pixel i reads byte `order[c]` of the pixel. */
function reference(rgb: Uint8Array, layout: "NCHW" | "NHWC", color: "RGB" | "BGR"): Uint8Array {
  const pixels = rgb.length / 3;
  const order = color === "RGB" ? [0, 1, 2] : [2, 1, 0];
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) out[layout === "NCHW" ? c * pixels + i : i * 3 + c] = rgb[i * 3 + (order[c] as number)] as number;
  }
  return out;
}

void describe("rgb24 frame -> uint8 model input", () => {
  void it("splits NCHW planes in the model's channel order (BGR for NanoDet)", () => {
    // Two pixels: (1, 2, 3) and (4, 5, 6).
    const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...rgbToImageBytes(rgb, new Uint8Array(6), { layout: "NCHW", color: "BGR" })], [3, 6, 2, 5, 1, 4]);
    assert.deepEqual([...rgbToImageBytes(rgb, new Uint8Array(6), { layout: "NCHW", color: "RGB" })], [1, 4, 2, 5, 3, 6]);
    assert.deepEqual([...rgbToImageBytes(rgb, new Uint8Array(6), { layout: "NHWC", color: "RGB" })], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...rgbToImageBytes(rgb, new Uint8Array(6), { layout: "NHWC", color: "BGR" })], [3, 2, 1, 6, 5, 4]);
  });

  void it("matches the per-pixel definition at any length, word alignment, layout and colour order", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 3, maxLength: 150 }).map((a) => a.slice(0, a.length - (a.length % 3))),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom("NCHW" as const, "NHWC" as const),
        fc.constantFrom("RGB" as const, "BGR" as const),
        (bytes, shift, layout, color) => {
          // The frame starts `shift` bytes into its buffer: only a word-aligned start takes the word loop.
          const backing = new Uint8Array(bytes.length + shift);
          backing.set(bytes, shift);
          const rgb = backing.subarray(shift);
          assert.deepEqual(rgbToImageBytes(rgb, new Uint8Array(rgb.length), { layout, color }), reference(rgb, layout, color));
        },
      ),
      { numRuns: 500 },
    );
  });

  void it("refuses a frame of the wrong size", () => {
    assert.throws(() => rgbToImageBytes(new Uint8Array(6), new Uint8Array(9), { layout: "NCHW", color: "RGB" }), RangeError);
    assert.throws(() => rgbToImageBytes(new Uint8Array(4), new Uint8Array(4), { layout: "NCHW", color: "RGB" }), RangeError);
  });
});
