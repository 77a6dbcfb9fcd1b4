import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { float16ToFloat32, widenFloat16 } from "../../src/inference/convert/float16.js";

/**
 * Reference: build the float32 bit pattern directly (sign, rebiased exponent, fraction shifted
 * by 13; subnormals renormalised), the way C half-float libraries do, and read it as a float.
 */
function referenceHalfToFloat(h: number): number {
  const sign = (h & 0x8000) << 16;
  let exp = (h >> 10) & 0x1f;
  let frac = h & 0x3ff;
  let bits: number;
  if (exp === 0x1f) bits = sign | 0x7f800000 | (frac << 13);
  else if (exp === 0) {
    if (frac === 0) bits = sign;
    else {
      exp = 127 - 15 + 1;
      while ((frac & 0x400) === 0) {
        frac <<= 1;
        exp--;
      }
      bits = sign | (exp << 23) | ((frac & 0x3ff) << 13);
    }
  } else bits = sign | ((exp - 15 + 127) << 23) | (frac << 13);
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits >>> 0);
  return view.getFloat32(0);
}

const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b));

void describe("float16 widening", () => {
  void it("matches the bit-level reference for random halves", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (h) => same(float16ToFloat32(h), referenceHalfToFloat(h))),
    );
  });

  void it("matches the reference for every one of the 65,536 halves, and is exact in float32", () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const wide = widenFloat16(all);
    for (let h = 0; h <= 0xffff; h++) {
      const v = wide[h] ?? NaN;
      assert.ok(same(v, referenceHalfToFloat(h)), `half 0x${h.toString(16)}`);
      if (!Number.isNaN(v)) assert.ok(same(Math.fround(v), v));
    }
  });

  void it("decodes known values", () => {
    assert.equal(float16ToFloat32(0x3c00), 1);
    assert.equal(float16ToFloat32(0xc000), -2);
    assert.equal(float16ToFloat32(0x3555), 0.333251953125);
    assert.equal(float16ToFloat32(0x7bff), 65504);
    assert.equal(float16ToFloat32(0x0001), 2 ** -24);
    assert.equal(float16ToFloat32(0x7c00), Infinity);
    assert.equal(float16ToFloat32(0xfc00), -Infinity);
    assert.ok(Object.is(float16ToFloat32(0x8000), -0));
    assert.ok(Number.isNaN(float16ToFloat32(0x7e00)));
  });
});
