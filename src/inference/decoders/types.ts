import type { Box } from "../../core/geometry.js";

/** One model output as ONNX Runtime returned it: flat data plus its dimensions. */
export interface OutputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** A box straight out of a decoder, before mapping, filtering and NMS. */
export interface RawDetection {
  readonly classId: number;
  readonly score: number;
  /** Normalised to the model input (0..1 of its width and height), not clamped. */
  readonly box: Box;
}

export interface DecodeInput {
  /** The model's outputs in manifest order. */
  readonly outputs: readonly OutputTensor[];
  readonly inputWidth: number;
  readonly inputHeight: number;
  /**
   * Per class, the lowest score worth keeping; +Infinity for a class nobody tracks. Decoders test
   * this before building a box, so thousands of anchors cost a read each, not an allocation.
   */
  readonly minScoreByClass: Float64Array;
}

export type ObjectDecoder = (input: DecodeInput) => RawDetection[];

export function checkDims(what: string, t: OutputTensor | undefined, rank: number): OutputTensor {
  if (!t) throw new RangeError(`${what}: output missing`);
  if (t.dims.length !== rank) throw new RangeError(`${what}: expected rank ${rank}, got [${t.dims.join(",")}]`);
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (n !== t.data.length)
    throw new RangeError(`${what}: dims [${t.dims.join(",")}] do not match ${t.data.length} values`);
  return t;
}

/** Centre-size box in input pixels -> corner box normalised to the input. */
export function centreBox(cx: number, cy: number, w: number, h: number, inputWidth: number, inputHeight: number): Box {
  return {
    x1: (cx - w / 2) / inputWidth,
    y1: (cy - h / 2) / inputHeight,
    x2: (cx + w / 2) / inputWidth,
    y2: (cy + h / 2) / inputHeight,
  };
}

/** Class ids with a finite threshold: the tracked ones. Decoders scan only these (COCO: 6-8 of 80). */
export function trackedClasses(minScoreByClass: Float64Array): number[] {
  return [...minScoreByClass.keys()].filter((c) => Number.isFinite(minScoreByClass[c]));
}
