import { execFile } from "node:child_process";
import type { Detection, FrameRegion } from "../contract/detection.js";

/** ffmpeg drawbox filters: crops yellow, the whole-frame pass blue, detections green. Pure. */
export function annotationFilter(
  regions: readonly FrameRegion[],
  detections: readonly Pick<Detection, "box">[],
  width: number,
  height: number,
): string {
  const box = (x: number, y: number, w: number, h: number, color: string, t: number): string =>
    `drawbox=x=${Math.round(x)}:y=${Math.round(y)}:w=${Math.max(1, Math.round(w))}:h=${Math.max(1, Math.round(h))}:color=${color}:t=${t}`;
  return [
    ...regions.map((r) =>
      box(
        r.x * width,
        r.y * height,
        r.width * width,
        r.height * height,
        r.kind === "full" ? "blue@0.9" : "yellow@0.9",
        r.kind === "full" ? 6 : 3,
      ),
    ),
    ...detections.map((d) =>
      box(
        d.box.x1 * width,
        d.box.y1 * height,
        (d.box.x2 - d.box.x1) * width,
        (d.box.y2 - d.box.y1) * height,
        "lime@0.9",
        2,
      ),
    ),
    "null",
  ].join(",");
}

/**
 * Writes an rgb24 image with the regions and detections drawn on it, through ffmpeg's drawbox
 * (PNG or JPEG by the file's extension). `scaleWidth` shrinks the picture for documents.
 */
export function writeAnnotated(
  rgb: Uint8Array,
  width: number,
  height: number,
  filter: string,
  out: string,
  scaleWidth?: number,
): Promise<void> {
  const vf = scaleWidth ? `${filter},scale=${scaleWidth}:-1` : filter;
  return new Promise((resolve, reject) => {
    const child = execFile(
      "ffmpeg",
      [
        "-v",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        `${width}x${height}`,
        "-i",
        "-",
        "-vf",
        vf,
        "-q:v",
        "4",
        "-frames:v",
        "1",
        out,
      ],
      (err) => (err ? reject(new Error(`ffmpeg could not write ${out}: ${err.message}`, { cause: err })) : resolve()),
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength));
  });
}
