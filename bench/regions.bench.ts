/**
 * Scale invariance and cost of region detection, against the whole frame letterboxed into the
 * model (detection before regions), in the same run, on real people: frames of OpenCV's
 * pedestrian clip (6-7 people 80-110 px tall at 768x576) placed unchanged in the middle of grey
 * canvases 1x, 2x and 3.3x their size, as a wider camera would see the same people. Each canvas is
 * shrunk to the camera's working size (fit 1280x1280) by ffmpeg, as the camera's ffmpeg does;
 * motion is measured by the daemon's motion gate; both detectors see the same frames at 5 fps.
 * Printed per scale: median people per frame, model runs per frame, and the detector's CPU per
 * analysed frame (process CPU, all threads) with its ratio to the whole-frame pass at 1x.
 * A still scene (one frame repeated) gives the cost where nothing moves.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { Writable } from "node:stream";
import type { Frame } from "../src/contract/detection.js";
import { createLogger } from "../src/core/logger.js";
import { findModel, readManifest } from "../src/inference/model-manifest.js";
import { ObjectDetector } from "../src/inference/object-detector.js";
import { RegionDetector } from "../src/inference/regions/region-detector.js";
import { type RegionSettings, regionSettingsOf } from "../src/inference/regions/region-settings.js";
import { MotionGate } from "../src/ingest/motion-gate.js";
import { workingSizeFilter, workingSizeFor } from "../src/ingest/working-size.js";
import { fmt, median } from "./stats.js";
import { ROOT } from "../test/helpers/repo-root.js";

const FRAMES = Number(process.env.BENCH_FRAMES ?? 40);
const WARMUP = 5;
const FPS = 5;
const SCALES = [1, 2, 3.3];
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const SOURCE = { width: 768, height: 576 };
const CLIP = resolve(ROOT, "test/fixtures/data/vtest.avi");
const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** FRAMES frames of the clip at 5 fps on a canvas `scale` times its size, at the working size. */
function canvasFrames(scale: number, still: boolean): { frames: Buffer[]; width: number; height: number } {
  const cw = Math.round(SOURCE.width * scale);
  const ch = Math.round(SOURCE.height * scale);
  const working = workingSizeFor(cw, ch, { maxWidth: 1280, maxHeight: 1280 });
  const vf = `fps=${FPS},pad=${cw}:${ch}:(ow-iw)/2:(oh-ih)/2:color=0x808080,${workingSizeFilter({ maxWidth: 1280, maxHeight: 1280 })}`;
  const raw = execFileSync(
    "ffmpeg",
    [
      "-v",
      "error",
      "-ss",
      "2",
      "-i",
      CLIP,
      "-vf",
      vf,
      "-frames:v",
      String(still ? 1 : FRAMES),
      "-pix_fmt",
      "rgb24",
      "-f",
      "rawvideo",
      "-",
    ],
    { maxBuffer: 1 << 30 },
  );
  const bytes = working.width * working.height * 3;
  const frames = Array.from({ length: raw.length / bytes }, (_, i) => raw.subarray(i * bytes, (i + 1) * bytes));
  return { frames: still ? Array.from({ length: FRAMES }, () => frames[0] as Buffer) : frames, ...working };
}

const manifest = await readManifest(resolve(ROOT, "models"));
const model = findModel(manifest, "nanodet-g-416");
const inner = new ObjectDetector(
  {
    modelsDir: resolve(ROOT, "models"),
    model,
    providers: [{ id: "cpu", backend: "cpu", threads: THREADS }],
    deadlineMs: 30_000,
    track: ["person"],
    scoreThreshold: 0.35,
    iouThreshold: 0.5,
  },
  log,
);
await inner.start();

async function run(
  settings: RegionSettings,
  scale: number,
  still: boolean,
): Promise<{ people: number; runs: number; cpuMs: number; wallMs: number }> {
  const { frames, width, height } = canvasFrames(scale, still);
  const detector = new RegionDetector(inner, {
    settings: () => settings,
    iouThreshold: 0.5,
    maxDetections: 100,
    minArea: 0,
    maxArea: 1,
    trackHoldMs: 2000,
  });
  const gated: Frame[] = [];
  const gate = new MotionGate(
    () => undefined,
    (f) => gated.push(f),
  );
  const people: number[] = [];
  let runs0 = 0;
  let cpu0 = 0;
  let wall0 = 0;
  for (const [i, rgb] of frames.entries()) {
    if (i === WARMUP) {
      runs0 = inner.stats.runs;
      const c = process.cpuUsage();
      cpu0 = (c.user + c.system) / 1000;
      wall0 = performance.now();
    }
    gate.offer({
      cameraId: "cam",
      index: i,
      capturedAt: i * (1000 / FPS),
      width,
      height,
      rgb,
      source: { width: Math.round(SOURCE.width * scale), height: Math.round(SOURCE.height * scale) },
    });
    const frame = gated.shift();
    if (!frame) continue;
    const { detections } = await detector.detect(frame);
    if (i >= WARMUP) people.push(detections.filter((d) => d.label === "person").length);
  }
  const c = process.cpuUsage();
  const n = frames.length - WARMUP;
  return {
    people: median(people),
    runs: (inner.stats.runs - runs0) / n,
    cpuMs: ((c.user + c.system) / 1000 - cpu0) / n,
    wallMs: (performance.now() - wall0) / n,
  };
}

const whole: RegionSettings = { ...regionSettingsOf(undefined), regions: false };
const regions = regionSettingsOf(undefined);
console.log(
  `regions: NanoDet-g 416, ${THREADS} threads, person >= 0.35; vtest.avi from 2 s, ${FRAMES - WARMUP} frames at ${FPS} fps after ${WARMUP} warm-up, on grey canvases; working size fit 1280x1280`,
);
console.log(
  `regions defaults: max_regions ${regions.maxRegions}, full_frame_fps ${regions.fullFrameFps}, max_region_scale ${regions.maxScale}`,
);
console.log(
  "scene    canvas      working     mode          people/frame  runs/frame  cpu ms/frame  wall ms/frame  cpu / whole@1x",
);
const base = await run(whole, 1, false);
for (const still of [false, true]) {
  for (const scale of SCALES) {
    const size = `${Math.round(SOURCE.width * scale)}x${Math.round(SOURCE.height * scale)}`;
    const w = workingSizeFor(Math.round(SOURCE.width * scale), Math.round(SOURCE.height * scale), {
      maxWidth: 1280,
      maxHeight: 1280,
    });
    for (const [mode, settings] of [
      ["whole frame", whole],
      ["regions", regions],
    ] as const) {
      const r = await run(settings, scale, still);
      console.log(
        `${(still ? "still" : "moving").padEnd(7)}  ${size.padEnd(10)}  ${`${w.width}x${w.height}`.padEnd(10)}  ${mode.padEnd(12)}  ${fmt(r.people, 1).padStart(12)}  ${fmt(r.runs, 2).padStart(10)}  ${fmt(r.cpuMs, 1).padStart(12)}  ${fmt(r.wallMs, 1).padStart(13)}  ${fmt(r.cpuMs / base.cpuMs, 2).padStart(14)}`,
      );
    }
  }
}
await inner.stop();
