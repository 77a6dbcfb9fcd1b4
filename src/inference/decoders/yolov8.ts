import { centreBox, checkDims, type DecodeInput, type RawDetection } from "./types.js";

/**
 * Ultralytics YOLOv8 / YOLO11 export: one output [1, 4 + C, N], transposed against YOLOv5: row k
 * holds value k for all N anchors (cx, cy, w, h in input pixels, then C class scores already
 * through the sigmoid; no objectness). Reading class rows one by one keeps memory access
 * sequential and skips untracked classes entirely. Multi-label, like the YOLOv5 decoder.
 */
export function decodeYoloV8(input: DecodeInput): RawDetection[] {
  const t = checkDims("yolov8 output", input.outputs[0], 3);
  const channels = t.dims[1] ?? 0;
  const n = t.dims[2] ?? 0;
  const classes = channels - 4;
  if (classes < 1 || classes !== input.minScoreByClass.length) {
    throw new RangeError(
      `yolov8 output has ${classes} classes, the manifest lists ${input.minScoreByClass.length} labels`,
    );
  }
  const d = t.data;
  const out: RawDetection[] = [];
  for (let c = 0; c < classes; c++) {
    const min = input.minScoreByClass[c] ?? Number.POSITIVE_INFINITY;
    if (min === Number.POSITIVE_INFINITY) continue;
    const row = (4 + c) * n;
    for (let a = 0; a < n; a++) {
      const score = d[row + a] ?? 0;
      if (!(score >= min)) continue;
      const box = centreBox(
        d[a] ?? 0,
        d[n + a] ?? 0,
        d[2 * n + a] ?? 0,
        d[3 * n + a] ?? 0,
        input.inputWidth,
        input.inputHeight,
      );
      out.push({ classId: c, score, box });
    }
  }
  return out;
}
