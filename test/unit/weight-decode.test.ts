import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ErrorCodes } from "../../src/core/errors.js";
import { decodeWeights, type WeightSpec } from "../../src/inference/convert/weight-decode.js";
import { expectVigil } from "../helpers/expect-vigil.js";

function bytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

void describe("TF.js weight shard decoding", () => {
  void it("splits consecutive float32, int32 and bool weights by shape", () => {
    const specs: WeightSpec[] = [
      { name: "w", shape: [2, 2], dtype: "float32" },
      { name: "shape", shape: [3], dtype: "int32" },
      { name: "flag", shape: [], dtype: "bool" },
    ];
    const buf = concat(
      bytes(new Float32Array([1.5, -2, 3.25, 0])),
      bytes(new Int32Array([1, -1, 416])),
      new Uint8Array([1]),
    );
    const w = decodeWeights(specs, buf);
    assert.deepEqual(Array.from(w.get("w")?.data ?? []), [1.5, -2, 3.25, 0]);
    assert.deepEqual(w.get("w")?.shape, [2, 2]);
    assert.deepEqual(Array.from(w.get("shape")?.data ?? []), [1, -1, 416]);
    assert.equal(w.get("shape")?.dtype, "int32");
    assert.deepEqual(Array.from(w.get("flag")?.data ?? []), [1]);
  });

  void it("widens float16-quantised weights to float32", () => {
    const w = decodeWeights(
      [{ name: "h", shape: [3], dtype: "float32", quantization: { dtype: "float16" } }],
      bytes(new Uint16Array([0x3c00, 0xc000, 0x3800])),
    );
    assert.equal(w.get("h")?.dtype, "float32");
    assert.deepEqual(Array.from(w.get("h")?.data ?? []), [1, -2, 0.5]);
  });

  void it("dequantises uint8 and uint16 as q * scale + min, within [min, min + max_q * scale]", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 32 }),
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        (qs, scale, min) => {
          const u8 = decodeWeights(
            [{ name: "a", shape: [qs.length], dtype: "float32", quantization: { dtype: "uint8", scale, min } }],
            Uint8Array.from(qs),
          );
          const u16 = decodeWeights(
            [{ name: "b", shape: [qs.length], dtype: "float32", quantization: { dtype: "uint16", scale, min } }],
            bytes(Uint16Array.from(qs, (q) => q * 257)),
          );
          qs.forEach((q, i) => {
            assert.equal(u8.get("a")?.data[i], Math.fround(q * scale + min));
            assert.equal(u16.get("b")?.data[i], Math.fround(q * 257 * scale + min));
          });
          for (const v of u8.get("a")?.data ?? [])
            assert.ok(v >= Math.fround(min) - 1e-6 && v <= min + 255 * scale + 1e-4);
        },
      ),
    );
  });

  void it("rounds dequantised weights whose original dtype is int32", () => {
    const w = decodeWeights(
      [
        {
          name: "i",
          shape: [3],
          dtype: "int32",
          quantization: { dtype: "uint8", scale: 0.5, min: -1, original_dtype: "int32" },
        },
      ],
      Uint8Array.from([0, 3, 10]),
    );
    assert.equal(w.get("i")?.dtype, "int32");
    assert.deepEqual(Array.from(w.get("i")?.data ?? []), [-1, 1, 4]);
  });

  void it("refuses shards shorter than the manifest says, and dtypes it cannot read", () => {
    expectVigil(
      () => decodeWeights([{ name: "w", shape: [4], dtype: "float32" }], new Uint8Array(8)),
      ErrorCodes.MODEL_CONVERT_FAILED,
    );
    expectVigil(
      () => decodeWeights([{ name: "s", shape: [1], dtype: "string" }], new Uint8Array(8)),
      ErrorCodes.MODEL_CONVERT_FAILED,
    );
    expectVigil(
      () =>
        decodeWeights(
          [{ name: "q", shape: [1], dtype: "float32", quantization: { dtype: "int4" } }],
          new Uint8Array(8),
        ),
      ErrorCodes.MODEL_CONVERT_FAILED,
    );
  });
});
