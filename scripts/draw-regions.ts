/**
 * Draws the regions the detector ran on, and what it found, over a real frame: the picture in
 * docs/inference.md. OpenCV's pedestrian clip is placed unchanged on a 2560x1440 canvas (the same
 * people as a wider camera sees them), shrunk to the 1280x720 working size as the camera's ffmpeg
 * does, and fed at 5 fps through the daemon's motion gate and region detector (NanoDet-g 416).
 * Crops are drawn in yellow, the whole-frame pass in blue, people in green.
 *   node dist/scripts/draw-regions.js [out.jpg]   (default docs/img/regions.jpg)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Writable } from "node:stream";
import type { Detection, Frame, FrameRegion } from "../src/contract/detection.js";
import { createLogger } from "../src/core/logger.js";
import { findModel, readManifest } from "../src/inference/model-manifest.js";
import { ObjectDetector } from "../src/inference/object-detector.js";
import { RegionDetector } from "../src/inference/regions/region-detector.js";
import { regionSettingsOf } from "../src/inference/regions/region-settings.js";
import { MotionGate } from "../src/ingest/motion-gate.js";
import { workingSizeFilter } from "../src/ingest/working-size.js";
import { annotationFilter, writeAnnotated } from "../src/cli/annotate.js";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const out = resolve(process.argv[2] ?? resolve(ROOT, "docs/img/regions.jpg"));
const W = 1280;
const H = 720;
const FRAMES = 12;
const raw = execFileSync(
  "ffmpeg",
  [
    "-v",
    "error",
    "-ss",
    "4",
    "-i",
    resolve(ROOT, "test/fixtures/data/vtest.avi"),
    "-vf",
    `fps=5,pad=2560:1440:(ow-iw)/2-500:(oh-ih)/2+200:color=0x707070,${workingSizeFilter({ maxWidth: W, maxHeight: W })}`,
    "-frames:v",
    String(FRAMES),
    "-pix_fmt",
    "rgb24",
    "-f",
    "rawvideo",
    "-",
  ],
  { maxBuffer: 1 << 28 },
);
const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const manifest = await readManifest(resolve(ROOT, "models"));
const inner = new ObjectDetector(
  {
    modelsDir: resolve(ROOT, "models"),
    model: findModel(manifest, "nanodet-g-416"),
    providers: [{ id: "cpu", backend: "cpu", threads: 2 }],
    deadlineMs: 30_000,
    track: ["person"],
    scoreThreshold: 0.35,
    iouThreshold: 0.5,
  },
  log,
);
await inner.start();
const detector = new RegionDetector(inner, {
  settings: () => regionSettingsOf(undefined),
  iouThreshold: 0.5,
  maxDetections: 100,
  minArea: 0,
  maxArea: 1,
  trackHoldMs: 2000,
});
let last: { rgb: Buffer; detections: Detection[]; regions: readonly FrameRegion[] } | undefined;
// The gate attaches the motion regions; with no motion gating configured it forwards every frame.
const gated: Frame[] = [];
const gate = new MotionGate(
  () => undefined,
  (f) => gated.push(f),
);
for (let i = 0; i < FRAMES; i++) {
  const rgb = raw.subarray(i * W * H * 3, (i + 1) * W * H * 3);
  gate.offer({
    cameraId: "cam",
    index: i,
    capturedAt: i * 200,
    width: W,
    height: H,
    rgb,
    source: { width: 2560, height: 1440 },
  });
  const frame = gated.shift();
  if (!frame) continue;
  const r = await detector.detect(frame);
  last = { rgb, detections: r.detections, regions: r.regions };
}
await inner.stop();
if (!last) throw new Error("no frame analysed");
mkdirSync(dirname(out), { recursive: true });
await writeAnnotated(last.rgb, W, H, annotationFilter(last.regions, last.detections, W, H), out, 960);
console.log(
  `${out}: ${last.regions.map((r) => `${r.kind} ${Math.round(r.width * W)}x${Math.round(r.height * H)}`).join(", ")}; ${last.detections.length} people`,
);
