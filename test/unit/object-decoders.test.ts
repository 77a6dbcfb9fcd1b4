import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { distributionMean, decodeNanoDet } from "../../src/inference/decoders/nanodet.js";
import type { OutputTensor } from "../../src/inference/decoders/types.js";
import { decodeYoloV5 } from "../../src/inference/decoders/yolov5.js";
import { decodeYoloV8 } from "../../src/inference/decoders/yolov8.js";
import { objectDecoder } from "../../src/inference/decoders/index.js";
import { buildDetectionFilter, filterDetections } from "../../src/inference/decoders/detection-filter.js";
import { computeLetterbox, sourceToLetterbox } from "../../src/core/letterbox.js";
import { isVigilError } from "../../src/core/errors.js";

const CLASSES = 80;
const tensor = (dims: number[], fill = 0): OutputTensor => ({
  dims,
  data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(fill),
});
const thresholds = (byClass: Record<number, number>, classes = CLASSES): Float64Array => {
  const t = new Float64Array(classes).fill(Number.POSITIVE_INFINITY);
  for (const [c, v] of Object.entries(byClass)) t[Number(c)] = v;
  return t;
};
const close = (a: number, b: number, eps = 1e-6): void => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);

/** A YOLOv8 output [1, 4 + C, N] with the given anchors (input pixels) and class scores. */
function yolov8Tensor(
  anchors: Array<{ cx: number; cy: number; w: number; h: number; scores: Record<number, number> }>,
  classes = CLASSES,
): OutputTensor {
  const n = anchors.length;
  const t = tensor([1, 4 + classes, n]);
  anchors.forEach((a, i) => {
    t.data[i] = a.cx;
    t.data[n + i] = a.cy;
    t.data[2 * n + i] = a.w;
    t.data[3 * n + i] = a.h;
    for (const [c, s] of Object.entries(a.scores)) t.data[(4 + Number(c)) * n + i] = s;
  });
  return t;
}

/** NanoDet outputs for a 416x416 input: scores per stride, then box logits per stride. */
function nanodetOutputs(): OutputTensor[] {
  const grids = [52, 26, 13];
  return [...grids.map((g) => tensor([1, g * g, CLASSES])), ...grids.map((g) => tensor([1, g * g, 44]))];
}

void describe("NanoDet decoder", () => {
  void it("decodes one anchor's distance bins into a box around its cell centre", () => {
    const outputs = nanodetOutputs();
    // Stride 16 (grid 26): cell (gx 10, gy 5) is row 5 * 26 + 10.
    const a = 5 * 26 + 10;
    outputs[1]!.data[a * CLASSES + 0] = 0.9;
    const sides = [2, 3, 4, 1]; // left, top, right, bottom in strides
    sides.forEach((k, side) => (outputs[4]!.data[a * 44 + side * 11 + k] = 50));
    const dets = decodeNanoDet({ outputs, inputWidth: 416, inputHeight: 416, minScoreByClass: thresholds({ 0: 0.5 }) });
    assert.equal(dets.length, 1);
    const d = dets[0]!;
    assert.equal(d.classId, 0);
    close(d.score, 0.9);
    const [cx, cy] = [10.5 * 16, 5.5 * 16];
    close(d.box.x1, (cx - 32) / 416);
    close(d.box.y1, (cy - 48) / 416);
    close(d.box.x2, (cx + 64) / 416);
    close(d.box.y2, (cy + 16) / 416);
  });

  void it("finds heads by shape whatever their order, and reports every class above its threshold", () => {
    const outputs = nanodetOutputs();
    outputs[2]!.data[0 * CLASSES + 17] = 0.6; // stride 32, first cell: horse
    outputs[2]!.data[0 * CLASSES + 19] = 0.7; // ... and cow, on the same anchor
    const shuffled = [outputs[5]!, outputs[0]!, outputs[3]!, outputs[2]!, outputs[4]!, outputs[1]!];
    const dets = decodeNanoDet({
      outputs: shuffled,
      inputWidth: 416,
      inputHeight: 416,
      minScoreByClass: thresholds({ 17: 0.5, 19: 0.5 }),
    });
    assert.deepEqual(dets.map((d) => d.classId).sort(), [17, 19]);
    // Uniform logits: every side is the mean bin, 5 strides of 32 from the centre (16, 16).
    close(dets[0]!.box.x1, (16 - 160) / 416);
    close(dets[0]!.box.x2, (16 + 160) / 416);
  });

  void it("skips classes nobody tracks even when they score high", () => {
    const outputs = nanodetOutputs();
    outputs[0]!.data[5] = 0.99;
    assert.deepEqual(
      decodeNanoDet({ outputs, inputWidth: 416, inputHeight: 416, minScoreByClass: thresholds({ 0: 0.1 }) }),
      [],
    );
  });

  void it("refuses outputs that do not fit the input size", () => {
    assert.throws(
      () =>
        decodeNanoDet({
          outputs: nanodetOutputs(),
          inputWidth: 320,
          inputHeight: 320,
          minScoreByClass: thresholds({}),
        }),
      RangeError,
    );
    assert.throws(
      () =>
        decodeNanoDet({
          outputs: nanodetOutputs().slice(0, 5),
          inputWidth: 416,
          inputHeight: 416,
          minScoreByClass: thresholds({}),
        }),
      RangeError,
    );
  });

  void it("the distribution mean lies within the bins and is their index for a peaked softmax", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -30, max: 30, noNaN: true }), { minLength: 2, maxLength: 16 }), (logits) => {
        const m = distributionMean(Float32Array.from(logits), 0, logits.length);
        assert.ok(m >= -1e-9 && m <= logits.length - 1 + 1e-9);
      }),
    );
    close(distributionMean(Float32Array.from([0, 0, 0, 80, 0]), 0, 5), 3);
  });
});

void describe("YOLOv5 decoder", () => {
  void it("multiplies objectness by class probability and maps centre-size pixels to corners", () => {
    const t = tensor([1, 3, 85]);
    const row = 1 * 85;
    t.data.set([320, 240, 64, 128, 0.8], row);
    t.data[row + 5 + 2] = 0.9; // car 0.72
    t.data[row + 5 + 0] = 0.5; // person 0.40
    const dets = decodeYoloV5({
      outputs: [t],
      inputWidth: 640,
      inputHeight: 640,
      minScoreByClass: thresholds({ 0: 0.5, 2: 0.5 }),
    });
    assert.equal(dets.length, 1);
    assert.equal(dets[0]!.classId, 2);
    close(dets[0]!.score, 0.72);
    assert.deepEqual(
      Object.values(dets[0]!.box).map((v) => Math.round(v * 640)),
      [288, 176, 352, 304],
    );
  });

  void it("refuses an output whose class count is not the manifest's", () => {
    assert.throws(
      () =>
        decodeYoloV5({
          outputs: [tensor([1, 3, 85])],
          inputWidth: 640,
          inputHeight: 640,
          minScoreByClass: thresholds({}, 3),
        }),
      RangeError,
    );
  });
});

void describe("YOLOv8 / YOLO11 decoder", () => {
  void it("reads the transposed [1, 4 + C, N] layout", () => {
    const t = yolov8Tensor([
      { cx: 100, cy: 100, w: 20, h: 40, scores: { 0: 0.3 } },
      { cx: 320, cy: 160, w: 64, h: 32, scores: { 0: 0.85, 7: 0.6 } },
    ]);
    const dets = decodeYoloV8({
      outputs: [t],
      inputWidth: 640,
      inputHeight: 640,
      minScoreByClass: thresholds({ 0: 0.5, 7: 0.5 }),
    });
    assert.deepEqual(
      dets.map((d) => [d.classId, Math.round(d.score * 100), ...Object.values(d.box).map((v) => Math.round(v * 640))]),
      [
        [0, 85, 288, 144, 352, 176],
        [7, 60, 288, 144, 352, 176],
      ],
    );
  });

  void it("is what the manifest names yolov8 and yolo11; unknown decoder names are a manifest error", () => {
    assert.equal(objectDecoder("yolo11", "m"), decodeYoloV8);
    assert.equal(objectDecoder("yolov8", "m"), decodeYoloV8);
    assert.throws(
      () => objectDecoder("ssd", "m"),
      (err) => isVigilError(err, "VIGIL_E_MANIFEST_INVALID"),
    );
  });
});

void describe("decode, map and filter (property)", () => {
  const LABELS = Array.from({ length: 4 }, (_, i) => `c${i}`);
  const anchorArb = fc.record({
    cx: fc.double({ min: -100, max: 800, noNaN: true }),
    cy: fc.double({ min: -100, max: 800, noNaN: true }),
    w: fc.double({ min: 0, max: 900, noNaN: true }),
    h: fc.double({ min: 0, max: 900, noNaN: true }),
    scores: fc.dictionary(fc.constantFrom("0", "1", "2", "3"), fc.double({ min: 0, max: 1, noNaN: true })),
  });
  const sizeArb = fc.integer({ min: 16, max: 4000 });

  void it("every reported box lies inside the source frame, with a tracked label and a passing score", () => {
    fc.assert(
      fc.property(
        fc.array(anchorArb, { maxLength: 40 }),
        sizeArb,
        sizeArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (anchors, sw, sh, thr) => {
          const { filter } = buildDetectionFilter({
            labels: LABELS,
            track: ["c1", "c2"],
            scoreThreshold: thr,
            iouThreshold: 0.5,
          });
          const raw = decodeYoloV8({
            outputs: [yolov8Tensor(anchors, 4)],
            inputWidth: 640,
            inputHeight: 640,
            minScoreByClass: filter.minScoreByClass,
          });
          for (const d of filterDetections(raw, filter, computeLetterbox(sw, sh, 640, 640))) {
            const b = d.box;
            assert.ok(
              b.x1 >= 0 && b.y1 >= 0 && b.x2 <= 1 && b.y2 <= 1 && b.x1 < b.x2 && b.y1 < b.y2,
              JSON.stringify(b),
            );
            assert.ok(d.label === "c1" || d.label === "c2");
            assert.ok(d.score >= thr);
          }
        },
      ),
    );
  });

  void it("a box drawn in the source frame comes back where it was, through letterbox and decoder", () => {
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        unit,
        unit,
        unit,
        unit,
        sizeArb,
        sizeArb,
        fc.integer({ min: 32, max: 1024 }),
        (a, b, c, d, sw, sh, side) => {
          const src = { x1: Math.min(a, b), y1: Math.min(c, d), x2: Math.max(a, b), y2: Math.max(c, d) };
          fc.pre(src.x2 - src.x1 > 1e-3 && src.y2 - src.y1 > 1e-3);
          const lb = computeLetterbox(sw, sh, side, side);
          const inp = sourceToLetterbox(src, lb);
          const t = yolov8Tensor(
            [
              {
                cx: ((inp.x1 + inp.x2) / 2) * side,
                cy: ((inp.y1 + inp.y2) / 2) * side,
                w: (inp.x2 - inp.x1) * side,
                h: (inp.y2 - inp.y1) * side,
                scores: { 1: 0.9 },
              },
            ],
            4,
          );
          const { filter } = buildDetectionFilter({
            labels: LABELS,
            track: ["c1"],
            scoreThreshold: 0.5,
            iouThreshold: 0.5,
          });
          const [det, ...rest] = filterDetections(
            decodeYoloV8({
              outputs: [t],
              inputWidth: side,
              inputHeight: side,
              minScoreByClass: filter.minScoreByClass,
            }),
            filter,
            lb,
          );
          assert.equal(rest.length, 0);
          assert.ok(det);
          for (const k of ["x1", "y1", "x2", "y2"] as const) close(det.box[k], src[k], 1e-4);
        },
      ),
    );
  });
});
