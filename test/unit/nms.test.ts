import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Box } from "../../src/core/geometry.js";
import { iou } from "../../src/core/geometry.js";
import { nms } from "../../src/inference/nms.js";

interface Det {
  box: Box;
  score: number;
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const side = fc.double({ min: 0, max: 0.5, noNaN: true });
const boxArb: fc.Arbitrary<Box> = fc
  .record({ x: unit, y: unit, w: side, h: side })
  .map(({ x, y, w, h }) => ({ x1: x, y1: y, x2: x + w, y2: y + h }));
// Scores drawn from a few values so ties are common and stability gets exercised.
const detArb: fc.Arbitrary<Det> = fc.record({
  box: boxArb,
  score: fc.oneof(unit, fc.constantFrom(0.25, 0.5, 0.75)),
});
const detsArb = fc.array(detArb, { maxLength: 40 });
const thrArb = fc.double({ min: 0, max: 1, noNaN: true });

void test("nms output is a duplicate-free subset of the input, sorted by score", () => {
  fc.assert(
    fc.property(detsArb, thrArb, (dets, thr) => {
      const out = nms(dets, thr);
      assert.equal(new Set(out).size, out.length);
      for (const d of out) assert.ok(dets.includes(d));
      for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.score >= out[i]!.score);
    }),
  );
});

void test("no two kept detections overlap above the threshold", () => {
  fc.assert(
    fc.property(detsArb, thrArb, (dets, thr) => {
      const out = nms(dets, thr);
      for (let i = 0; i < out.length; i++) {
        for (let j = i + 1; j < out.length; j++) assert.ok(iou(out[i]!.box, out[j]!.box) <= thr);
      }
    }),
  );
});

void test("every dropped detection is covered by a kept one with at least its score", () => {
  fc.assert(
    fc.property(detsArb, thrArb, (dets, thr) => {
      const out = nms(dets, thr);
      for (const d of dets) {
        if (out.includes(d)) continue;
        assert.ok(out.some((k) => k.score >= d.score && iou(k.box, d.box) > thr));
      }
    }),
  );
});

void test("the top-scoring detection (first among ties) always survives first", () => {
  fc.assert(
    fc.property(
      fc.array(detArb, { minLength: 1, maxLength: 40 }),
      thrArb,
      fc.integer({ min: 1, max: 5 }),
      (dets, thr, max) => {
        const best = dets.reduce((a, b) => (b.score > a.score ? b : a));
        assert.equal(nms(dets, thr, max)[0], best);
      },
    ),
  );
});

void test("nms is idempotent", () => {
  fc.assert(
    fc.property(detsArb, thrArb, (dets, thr) => {
      const once = nms(dets, thr);
      assert.deepEqual(nms(once, thr), once);
    }),
  );
});

void test("maxDetections is respected and truncates the unbounded result", () => {
  fc.assert(
    fc.property(detsArb, thrArb, fc.integer({ min: 0, max: 10 }), (dets, thr, max) => {
      const out = nms(dets, thr, max);
      assert.ok(out.length <= max);
      assert.deepEqual(out, nms(dets, thr).slice(0, max));
    }),
  );
});

void test("ties keep input order and NaN scores are dropped", () => {
  const a = { box: { x1: 0, y1: 0, x2: 0.1, y2: 0.1 }, score: 0.5, id: "a" };
  const b = { box: { x1: 0.5, y1: 0.5, x2: 0.6, y2: 0.6 }, score: 0.5, id: "b" };
  const c = { box: { x1: 0, y1: 0, x2: 0.1, y2: 0.1 }, score: 0.5, id: "c" };
  const n = { box: { x1: 0.8, y1: 0.8, x2: 0.9, y2: 0.9 }, score: Number.NaN, id: "n" };
  assert.deepEqual(
    nms([a, b, c, n], 0.3).map((d) => d.id),
    ["a", "b"],
  );
  assert.deepEqual(
    nms([c, b, a], 0.3).map((d) => d.id),
    ["c", "b"],
  );
});
