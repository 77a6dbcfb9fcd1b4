// Detections on regions back in frame coordinates, and one report per object across regions.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Detection } from "../../src/contract/detection.js";
import {
  cutByRegionEdge,
  mergeRegionDetections,
  regionDetectionToFrame,
} from "../../src/inference/regions/region-boxes.js";

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;
const unitBox = fc
  .tuple(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([a, b, c, d]) => ({ x1: Math.min(a, c), y1: Math.min(b, d), x2: Math.max(a, c), y2: Math.max(b, d) }));
const regionArb = fc
  .record({ W: fc.integer({ min: 100, max: 4000 }), H: fc.integer({ min: 100, max: 3000 }) })
  .chain(({ W, H }) =>
    fc.integer({ min: 1, max: Math.min(W, H) }).chain((s) =>
      fc.record({
        W: fc.constant(W),
        H: fc.constant(H),
        r: fc.record({
          x: fc.integer({ min: 0, max: W - s }),
          y: fc.integer({ min: 0, max: H - s }),
          width: fc.constant(s),
          height: fc.constant(s),
        }),
      }),
    ),
  );

void describe("regionDetectionToFrame", () => {
  void it("maps a region's box to the same pixels of the frame, and keypoints with it", () => {
    fc.assert(
      fc.property(regionArb, unitBox, ({ W, H, r }, box) => {
        const d: Detection = { label: "face", score: 0.9, box, keypoints: [{ x: box.x1, y: box.y2 }] };
        const m = regionDetectionToFrame(d, r, W, H);
        assert.ok(close(m.box.x1 * W, r.x + box.x1 * r.width) && close(m.box.y2 * H, r.y + box.y2 * r.height));
        assert.ok(close(m.keypoints?.[0]?.x ?? NaN, m.box.x1) && close(m.keypoints?.[0]?.y ?? NaN, m.box.y2));
        // Inside the region, so inside the frame.
        assert.ok(m.box.x1 >= r.x / W - 1e-12 && m.box.x2 <= (r.x + r.width) / W + 1e-12 && m.box.x2 <= 1 + 1e-12);
      }),
    );
  });

  void it("a box is cut only at a region edge that is not the frame's", () => {
    const r = { x: 0, y: 100, width: 400, height: 400 };
    assert.equal(
      cutByRegionEdge({ x1: 0, y1: 0.3, x2: 0.2, y2: 0.6 }, r, 1280, 720),
      false,
      "left edge is the frame's",
    );
    assert.equal(
      cutByRegionEdge({ x1: 0.5, y1: 0.3, x2: 1, y2: 0.6 }, r, 1280, 720),
      true,
      "right edge is inside the frame",
    );
    assert.equal(cutByRegionEdge({ x1: 0.5, y1: 0, x2: 0.6, y2: 0.6 }, r, 1280, 720), true, "top edge is at y=100");
    assert.equal(cutByRegionEdge({ x1: 0.5, y1: 0.3, x2: 0.6, y2: 0.6 }, r, 1280, 720), false);
  });
});

void describe("mergeRegionDetections", () => {
  const person = (x1: number, y1: number, x2: number, y2: number, score: number): Detection => ({
    label: "person",
    score,
    box: { x1, y1, x2, y2 },
  });

  void it("the same object from two regions is reported once, the whole box over the cut one", () => {
    const whole = person(0.4, 0.2, 0.5, 0.6, 0.6);
    const cutHalf = person(0.4, 0.2, 0.45, 0.6, 0.8);
    const merged = mergeRegionDetections(
      [
        { detection: cutHalf, cut: true },
        { detection: whole, cut: false },
      ],
      { iouThreshold: 0.5 },
    );
    assert.deepEqual(merged, [whole]);
  });

  void it("different labels, and separate people, are all kept", () => {
    const found = [
      { detection: person(0.1, 0.1, 0.2, 0.4, 0.7), cut: false },
      { detection: person(0.6, 0.1, 0.7, 0.4, 0.6), cut: false },
      { detection: { label: "bicycle", score: 0.5, box: { x1: 0.1, y1: 0.2, x2: 0.2, y2: 0.4 } }, cut: false },
    ];
    assert.equal(mergeRegionDetections(found, { iouThreshold: 0.5 }).length, 3);
  });

  void it("keeps no two boxes of one label above the IoU threshold, and keeps a box of every cluster", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ box: unitBox, score: fc.double({ min: 0, max: 1, noNaN: true }), cut: fc.boolean() }), {
          maxLength: 20,
        }),
        (raw) => {
          const found = raw.map((r) => ({
            detection: person(r.box.x1, r.box.y1, r.box.x2, r.box.y2, r.score),
            cut: r.cut,
          }));
          const merged = mergeRegionDetections(found, { iouThreshold: 0.5 });
          assert.ok(merged.length <= found.length);
          if (found.length > 0) assert.ok(merged.length > 0);
          for (let a = 0; a < merged.length; a++) {
            for (let b = a + 1; b < merged.length; b++) {
              const A = merged[a]!.box;
              const B = merged[b]!.box;
              const iw = Math.min(A.x2, B.x2) - Math.max(A.x1, B.x1);
              const ih = Math.min(A.y2, B.y2) - Math.max(A.y1, B.y1);
              const inter = iw > 0 && ih > 0 ? iw * ih : 0;
              const union = (A.x2 - A.x1) * (A.y2 - A.y1) + (B.x2 - B.x1) * (B.y2 - B.y1) - inter;
              assert.ok(union === 0 || inter / union <= 0.5 + 1e-12);
            }
          }
        },
      ),
    );
  });
});
