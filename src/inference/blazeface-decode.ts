import { BLAZEFACE_ANCHOR_COUNT, blazeFaceAnchors } from "./blazeface-anchors.js";
import type { Box } from "../core/geometry.js";
import { nms } from "./nms.js";

export interface FaceDetection {
  /** Normalised to the model input (letterboxed frame), not clamped: faces may overhang. */
  box: Box;
  score: number;
  /** Six points: right eye, left eye, nose, mouth, right ear, left ear (subject's sides). */
  keypoints: Array<{ x: number; y: number }>;
}

export interface BlazeFaceOutputs {
  /** Score logits for the 512 and 384 anchors (`Identity:0`, `Identity_1:0`). */
  scores: [Float32Array, Float32Array];
  /** 16 values per anchor (`Identity_2:0`, `Identity_3:0`). */
  regressors: [Float32Array, Float32Array];
}

export interface BlazeFaceDecodeOptions {
  scoreThreshold: number;
  iouThreshold: number;
  maxFaces?: number;
}

const VALUES_PER_ANCHOR = 16;
const KEYPOINTS = 6;
const FIRST_GROUP = 512;
// MediaPipe clips logits to this before the sigmoid; it also keeps exp() finite.
const LOGIT_CLIP = 100;

const anchorCache = new Map<128 | 256, Float32Array>();
function anchorsFor(inputSize: 128 | 256): Float32Array {
  let a = anchorCache.get(inputSize);
  if (!a) {
    a = blazeFaceAnchors(inputSize);
    anchorCache.set(inputSize, a);
  }
  return a;
}

function checkLength(name: string, arr: Float32Array, expected: number): void {
  if (arr.length !== expected) {
    throw new RangeError(`BlazeFace ${name} has ${arr.length} values, expected ${expected}`);
  }
}

export function decodeBlazeFace(
  outputs: BlazeFaceOutputs,
  inputSize: 128 | 256,
  opts: BlazeFaceDecodeOptions,
): FaceDetection[] {
  const anchors = anchorsFor(inputSize);
  const second = BLAZEFACE_ANCHOR_COUNT - FIRST_GROUP;
  checkLength("scores[0]", outputs.scores[0], FIRST_GROUP);
  checkLength("scores[1]", outputs.scores[1], second);
  checkLength("regressors[0]", outputs.regressors[0], FIRST_GROUP * VALUES_PER_ANCHOR);
  checkLength("regressors[1]", outputs.regressors[1], second * VALUES_PER_ANCHOR);

  const candidates: FaceDetection[] = [];
  for (let i = 0; i < BLAZEFACE_ANCHOR_COUNT; i++) {
    const group = i < FIRST_GROUP ? 0 : 1;
    const j = group === 0 ? i : i - FIRST_GROUP;
    const logit = outputs.scores[group][j] ?? Number.NaN;
    const clipped = Math.min(LOGIT_CLIP, Math.max(-LOGIT_CLIP, logit));
    const score = 1 / (1 + Math.exp(-clipped));
    // Written as a negated >= so NaN scores are rejected too.
    if (!(score >= opts.scoreThreshold)) continue;

    const reg = outputs.regressors[group];
    const r = (k: number): number => (reg[j * VALUES_PER_ANCHOR + k] ?? Number.NaN) / inputSize;
    const ax = anchors[2 * i] ?? 0;
    const ay = anchors[2 * i + 1] ?? 0;
    const cx = ax + r(0);
    const cy = ay + r(1);
    const w = r(2);
    const h = r(3);
    if (!(w > 0 && h > 0 && Number.isFinite(cx) && Number.isFinite(cy))) continue;

    const keypoints: Array<{ x: number; y: number }> = [];
    for (let p = 0; p < KEYPOINTS; p++) {
      keypoints.push({ x: ax + r(4 + 2 * p), y: ay + r(5 + 2 * p) });
    }
    candidates.push({
      box: { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 },
      score,
      keypoints,
    });
  }
  return nms(candidates, opts.iouThreshold, opts.maxFaces);
}
