import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildDetectionFilter, filterDetections } from "../../src/inference/decoders/detection-filter.js";
import type { RawDetection } from "../../src/inference/decoders/types.js";
import { iou } from "../../src/core/geometry.js";
import { classAwareNms } from "../../src/inference/nms.js";

const LABELS = ["person", "bicycle", "car", "dog"];
const unit = fc.double({ min: 0, max: 1, noNaN: true });
const rawArb: fc.Arbitrary<RawDetection> = fc
  .record({
    classId: fc.integer({ min: 0, max: 3 }),
    score: fc.oneof(unit, fc.constantFrom(0.3, 0.6)),
    x: unit,
    y: unit,
    w: fc.double({ min: 0, max: 0.6, noNaN: true }),
    h: fc.double({ min: 0, max: 0.6, noNaN: true }),
  })
  .map(({ classId, score, x, y, w, h }) => ({ classId, score, box: { x1: x, y1: y, x2: x + w, y2: y + h } }));
const thrArb = fc.record({ person: unit, bicycle: unit, car: unit, dog: unit });

void describe("detection filter", () => {
  void it("no two kept detections of one class overlap above the IoU threshold", () => {
    fc.assert(
      fc.property(fc.array(rawArb, { maxLength: 60 }), unit, (raw, iouThr) => {
        const { filter } = buildDetectionFilter({
          labels: LABELS,
          track: LABELS,
          scoreThreshold: 0,
          iouThreshold: iouThr,
        });
        const out = filterDetections(raw, filter, undefined);
        for (let i = 0; i < out.length; i++) {
          for (let j = i + 1; j < out.length; j++) {
            if (out[i]!.label === out[j]!.label) assert.ok(iou(out[i]!.box, out[j]!.box) <= iouThr);
          }
        }
      }),
    );
  });

  void it("raising thresholds only removes the detections now below them (monotone)", () => {
    fc.assert(
      fc.property(fc.array(rawArb, { maxLength: 60 }), thrArb, thrArb, (raw, a, b) => {
        const low = Object.fromEntries(
          LABELS.map((l) => [l, Math.min(a[l as keyof typeof a], b[l as keyof typeof b])]),
        );
        const high = Object.fromEntries(
          LABELS.map((l) => [l, Math.max(a[l as keyof typeof a], b[l as keyof typeof b])]),
        );
        const settings = {
          labels: LABELS,
          track: LABELS,
          scoreThreshold: 0,
          iouThreshold: 0.45,
          maxDetections: 1000,
          preTopK: 1000,
        };
        const outLow = filterDetections(
          raw,
          buildDetectionFilter({ ...settings, labelThresholds: low }).filter,
          undefined,
        );
        const outHigh = filterDetections(
          raw,
          buildDetectionFilter({ ...settings, labelThresholds: high }).filter,
          undefined,
        );
        assert.deepEqual(
          outHigh,
          outLow.filter((d) => d.score >= (high[d.label] ?? 0)),
        );
      }),
    );
  });

  void it("keeps only tracked labels, each with its own threshold", () => {
    const box = { x1: 0.1, y1: 0.1, x2: 0.3, y2: 0.5 };
    const raw: RawDetection[] = [
      { classId: 0, score: 0.4, box },
      { classId: 1, score: 0.4, box },
      { classId: 2, score: 0.9, box },
      { classId: 3, score: 0.99, box },
    ];
    const { filter } = buildDetectionFilter({
      labels: LABELS,
      track: ["person", "bicycle", "car"],
      scoreThreshold: 0.5,
      labelThresholds: { person: 0.35 },
      iouThreshold: 0.5,
    });
    assert.deepEqual(
      filterDetections(raw, filter, undefined).map((d) => d.label),
      ["car", "person"],
    );
  });

  void it("drops boxes outside the area bounds before NMS, so they suppress nothing", () => {
    const big = { classId: 0, score: 0.9, box: { x1: 0, y1: 0, x2: 0.9, y2: 0.9 } };
    const inside = { classId: 0, score: 0.8, box: { x1: 0.05, y1: 0.05, x2: 0.8, y2: 0.8 } };
    const tiny = { classId: 0, score: 0.7, box: { x1: 0.5, y1: 0.5, x2: 0.51, y2: 0.51 } };
    const { filter } = buildDetectionFilter({
      labels: LABELS,
      track: ["person"],
      scoreThreshold: 0.5,
      iouThreshold: 0.5,
      minArea: 0.001,
      maxArea: 0.7,
    });
    assert.deepEqual(
      filterDetections([big, inside, tiny], filter, undefined).map((d) => d.score),
      [0.8],
    );
  });

  void it("names tracked labels the model does not know, so config can be refused", () => {
    assert.deepEqual(
      buildDetectionFilter({ labels: LABELS, track: ["person", "truck"], scoreThreshold: 0.5, iouThreshold: 0.5 })
        .unknownLabels,
      ["truck"],
    );
  });

  void it("drops boxes with NaN coordinates or no area", () => {
    const { filter } = buildDetectionFilter({ labels: LABELS, track: LABELS, scoreThreshold: 0, iouThreshold: 0.5 });
    const raw: RawDetection[] = [
      { classId: 0, score: 0.9, box: { x1: Number.NaN, y1: 0, x2: 0.5, y2: 0.5 } },
      { classId: 0, score: 0.9, box: { x1: 0.5, y1: 0.5, x2: 0.5, y2: 0.9 } },
      { classId: 0, score: 0.9, box: { x1: 1.2, y1: 0, x2: 1.5, y2: 0.5 } },
    ];
    assert.deepEqual(filterDetections(raw, filter, undefined), []);
  });
});

void describe("class-aware NMS", () => {
  void it("boxes of different classes never suppress each other", () => {
    const box = { x1: 0, y1: 0, x2: 0.5, y2: 0.5 };
    const out = classAwareNms(
      [
        { classId: 0, score: 0.9, box },
        { classId: 1, score: 0.8, box },
        { classId: 0, score: 0.7, box },
      ],
      { iouThreshold: 0.5 },
    );
    assert.deepEqual(
      out.map((d) => [d.classId, d.score]),
      [
        [0, 0.9],
        [1, 0.8],
      ],
    );
  });

  void it("equals plain NMS run class by class, merged in score order (property)", async () => {
    const { nms } = await import("../../src/inference/nms.js");
    fc.assert(
      fc.property(fc.array(rawArb, { maxLength: 50 }), unit, (raw, thr) => {
        const together = classAwareNms(raw, { iouThreshold: thr });
        for (const c of [0, 1, 2, 3]) {
          assert.deepEqual(
            together.filter((d) => d.classId === c),
            nms(
              raw.filter((d) => d.classId === c),
              thr,
            ),
          );
        }
      }),
    );
  });

  void it("caps the total with maxDetections and the candidates with preTopK", () => {
    const dets = Array.from({ length: 5000 }, (_, i) => ({
      classId: i % 3,
      score: (i % 997) / 997,
      box: {
        x1: (i % 70) / 70,
        y1: Math.floor(i / 70) / 72,
        x2: (i % 70) / 70 + 0.01,
        y2: Math.floor(i / 70) / 72 + 0.01,
      },
    }));
    assert.equal(classAwareNms(dets, { iouThreshold: 0.5, maxDetections: 100 }).length, 100);
    const top = classAwareNms(dets, { iouThreshold: 0.5, preTopK: 10 });
    assert.equal(top.length, 10);
    assert.ok(top.every((d) => d.score >= 995 / 997));
  });
});
