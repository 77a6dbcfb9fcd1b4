import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { resizeRgbBilinear } from "../../src/inference/rgb-resize.js";

const size = fc.integer({ min: 1, max: 24 });

void describe("bilinear rgb24 resize", () => {
  void it("keeps a uniform image uniform at any size", () => {
    fc.assert(
      fc.property(
        size,
        size,
        size,
        size,
        fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)),
        (sw, sh, dw, dh, [r, g, b]) => {
          const src = Buffer.alloc(sw * sh * 3);
          for (let i = 0; i < sw * sh; i++) src.set([r, g, b], i * 3);
          const out = resizeRgbBilinear(src, sw, sh, dw, dh);
          assert.equal(out.length, dw * dh * 3);
          for (let i = 0; i < dw * dh; i++) assert.deepEqual([...out.subarray(i * 3, i * 3 + 3)], [r, g, b]);
        },
      ),
    );
  });

  void it("is the identity at the same size", () => {
    fc.assert(
      fc.property(size, size, fc.infiniteStream(fc.nat(255)), (w, h, values) => {
        const src = Buffer.from([...values.take(w * h * 3)]);
        assert.deepEqual(resizeRgbBilinear(src, w, h, w, h), src);
      }),
    );
  });

  void it("never leaves the range of the source values (no ringing)", () => {
    fc.assert(
      fc.property(size, size, size, size, fc.infiniteStream(fc.nat(255)), (sw, sh, dw, dh, values) => {
        const src = Buffer.from([...values.take(sw * sh * 3)]);
        const out = resizeRgbBilinear(src, sw, sh, dw, dh);
        assert.ok(Math.min(...out) >= Math.min(...src) && Math.max(...out) <= Math.max(...src));
      }),
    );
  });

  void it("halves a 2x2 checker into its average", () => {
    const src = Buffer.from([0, 0, 0, 200, 200, 200, 200, 200, 200, 0, 0, 0]);
    assert.deepEqual([...resizeRgbBilinear(src, 2, 2, 1, 1)], [100, 100, 100]);
  });

  void it("refuses a buffer that does not match its size", () => {
    assert.throws(() => resizeRgbBilinear(Buffer.alloc(10), 2, 2, 1, 1), RangeError);
  });
});
