import { centreBox, checkDims, type DecodeInput, type RawDetection, trackedClasses } from "./types.js";

/**
 * YOLOv5 export: one output [1, N, 5 + C], each row cx, cy, w, h (input pixels), objectness, then
 * C class probabilities, all already through the sigmoid. A class's score is objectness times its
 * probability. Every class above its own threshold yields a detection (multi-label), so a tracked
 * class is never hidden behind an untracked one that scored higher on the same box.
 */
export function decodeYoloV5(input: DecodeInput): RawDetection[] {
  const t = checkDims("yolov5 output", input.outputs[0], 3);
  const rows = t.dims[1] ?? 0;
  const stride = t.dims[2] ?? 0;
  const classes = stride - 5;
  if (classes < 1 || classes !== input.minScoreByClass.length) {
    throw new RangeError(
      `yolov5 output has ${classes} classes, the manifest lists ${input.minScoreByClass.length} labels`,
    );
  }
  let floor = Number.POSITIVE_INFINITY;
  for (const s of input.minScoreByClass) floor = Math.min(floor, s);
  const tracked = trackedClasses(input.minScoreByClass);
  const d = t.data;
  const out: RawDetection[] = [];
  for (let r = 0; r < rows; r++) {
    const base = r * stride;
    const obj = d[base + 4] ?? 0;
    // No class score can exceed objectness, so most rows end here.
    if (!(obj >= floor)) continue;
    for (const c of tracked) {
      const score = obj * (d[base + 5 + c] ?? 0);
      if (!(score >= (input.minScoreByClass[c] ?? Number.POSITIVE_INFINITY))) continue;
      const box = centreBox(
        d[base] ?? 0,
        d[base + 1] ?? 0,
        d[base + 2] ?? 0,
        d[base + 3] ?? 0,
        input.inputWidth,
        input.inputHeight,
      );
      out.push({ classId: c, score, box });
    }
  }
  return out;
}
