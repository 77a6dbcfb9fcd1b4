import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Detection } from "../../src/contract/detection.js";
import { faceWidthPx, selectFaces, toImagePixels } from "../../src/inference/faces/face-geometry.js";
import { computeLetterbox, letterboxPointToSource } from "../../src/core/letterbox.js";

const kp = [
  { x: 0.4, y: 0.4 },
  { x: 0.6, y: 0.4 },
  { x: 0.5, y: 0.5 },
  { x: 0.5, y: 0.6 },
];
const face = (x1: number, w: number, keypoints = kp): Detection => ({
  label: "face",
  score: 0.9,
  box: { x1, y1: 0.1, x2: x1 + w, y2: 0.1 + w },
  keypoints,
});

void describe("face geometry", () => {
  void it("toImagePixels inverts the letterbox mapping the detector applied", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 4000 }),
        fc.integer({ min: 16, max: 4000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (sw, sh, x, y) => {
          const lb = computeLetterbox(sw, sh, 256, 256);
          const model = { x, y };
          const px = toImagePixels(letterboxPointToSource(model, lb), { kind: "letterbox", lb });
          return Math.abs(px.x - (x * 256 - 0.5)) < 1e-6 && Math.abs(px.y - (y * 256 - 0.5)) < 1e-6;
        },
      ),
    );
  });

  void it("selectFaces keeps the largest faces with landmarks, at least minPx wide, at most max", () => {
    const placement = { kind: "fill", width: 1000, height: 1000 } as const;
    const faces = [face(0, 0.02), face(0.1, 0.2), face(0.4, 0.05), face(0.6, 0.1), face(0.8, 0.15, [])];
    const chosen = selectFaces(faces, placement, 30, 2);
    assert.deepEqual(
      chosen.map((f) => f.box.x1),
      [0.1, 0.6],
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0.001, max: 0.5, noNaN: true })),
          { maxLength: 20 },
        ),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10 }),
        (boxes, minPx, max) => {
          const picked = selectFaces(
            boxes.map(([x, w]) => face(x, w)),
            placement,
            minPx,
            max,
          );
          const widths = picked.map((f) => faceWidthPx(f, placement));
          return (
            picked.length <= max &&
            widths.every((w) => w >= minPx) &&
            widths.every((w, i) => i === 0 || w <= (widths[i - 1] as number))
          );
        },
      ),
    );
  });
});
