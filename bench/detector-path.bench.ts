/**
 * Detector throughput through the daemon's path (frame at working resolution in -> scheduler ->
 * region planned from the frame's motion and cut to the model's input -> provider chain: in its
 * worker thread the region's bytes into the model's layout, then the model with its normalisation
 * baked in -> decoder, mapping to the region and the frame, NMS, merge -> result out) against a bare onnxruntime-node loop
 * (session.run of the model file on a ready float tensor, nothing else) on the same model, input
 * and thread count, in the same process. Two ways to feed the path: saturated (three cameras
 * always have a frame waiting, as on a busy box: the throughput the goal is about, path / bare
 * <= 1.10) and one frame at a time (a quiet box: the latency a single frame sees). Rounds
 * alternate the three so load from elsewhere on the box hits all alike. The frame is the photo at
 * its native size with its middle moving, so each frame is one native-scale crop: one model run
 * (the whole-frame pass is off here; it shrinks the frame first, a cost of its own). NanoDet-g 416 from
 * models/ when `vigil models fetch` has built it, else BlazeFace back 256.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Writable } from "node:stream";
import * as ort from "onnxruntime-node";
import type { DetectionResult, Frame } from "../src/contract/detection.js";
import { createLogger } from "../src/core/logger.js";
import { DetectionScheduler } from "../src/inference/detection-scheduler.js";
import { FaceDetector } from "../src/inference/face-detector.js";
import { modelInputSize } from "../src/inference/model-input.js";
import { findModel, type ModelEntry, readManifest } from "../src/inference/model-manifest.js";
import { ObjectDetector } from "../src/inference/object-detector.js";
import { pixelTables, rgbToTensor } from "../test/helpers/float-preprocess.js";
import { letterboxFilter } from "../src/core/letterbox.js";
import { RegionDetector } from "../src/inference/regions/region-detector.js";
import { workingSizeFilter, workingSizeFor } from "../src/ingest/working-size.js";
import { fmt, median } from "./stats.js";
import { ROOT } from "../test/helpers/repo-root.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const PER_ROUND = Number(process.env.BENCH_RUNS ?? 30);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function pickModel(): Promise<{ model: ModelEntry; modelsDir: string; photo: string }> {
  const modelsDir = resolve(ROOT, "models");
  const manifest = await readManifest(modelsDir);
  const nanodet = findModel(manifest, "nanodet-g-416");
  if (existsSync(resolve(modelsDir, nanodet.file))) return { model: nanodet, modelsDir, photo: "person.jpg" };
  return { model: findModel(manifest, "blazeface-back-256"), modelsDir, photo: "sample1.jpg" };
}

const { model, modelsDir, photo } = await pickModel();
const { width, height } = modelInputSize(model);
const photoPath = resolve(ROOT, "test/fixtures/data/photos", photo);
const rgb = execFileSync(
  "ffmpeg",
  ["-v", "error", "-i", photoPath, "-vf", letterboxFilter(width, height), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
  { maxBuffer: 64 << 20 },
);
const [srcW = width, srcH = height] = execFileSync("ffprobe", [
  "-v",
  "error",
  "-select_streams",
  "v:0",
  "-show_entries",
  "stream=width,height",
  "-of",
  "csv=p=0",
  photoPath,
])
  .toString()
  .trim()
  .split(",")
  .map(Number);
const working = workingSizeFor(srcW, srcH, { maxWidth: 1280, maxHeight: 1280 });
const frameRgb = execFileSync(
  "ffmpeg",
  [
    "-v",
    "error",
    "-i",
    photoPath,
    "-vf",
    workingSizeFilter({ maxWidth: 1280, maxHeight: 1280 }),
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-",
  ],
  { maxBuffer: 64 << 20 },
);
const moving = { score: 0.05, regions: [{ x1: 0.4, y1: 0.4, x2: 0.6, y2: 0.6, cells: 40 }] };
const frameAt = (cameraId: string, index: number): Frame => ({
  cameraId,
  index,
  capturedAt: Date.now(),
  ...working,
  rgb: frameRgb,
  source: { width: srcW, height: srcH },
  motion: moving,
});

const runner = {
  modelsDir,
  model,
  providers: [{ id: "cpu", backend: "cpu" as const, threads: THREADS }],
  deadlineMs: 30_000,
};
const detector =
  model.task === "object-detection"
    ? new ObjectDetector(
        {
          ...runner,
          track: ["person", "car", "truck", "bus", "motorcycle", "bicycle", "dog", "horse"],
          scoreThreshold: 0.3,
          iouThreshold: 0.5,
        },
        log,
      )
    : new FaceDetector({ ...runner, scoreThreshold: 0.6, iouThreshold: 0.3 }, log);
await detector.start();
let onResult: ((r: DetectionResult) => void) | undefined;
const regions = new RegionDetector(detector, {
  settings: () => ({ regions: true, maxRegions: 4, fullFrameFps: 0, maxScale: 2 }),
  iouThreshold: 0.5,
  maxDetections: 100,
  minArea: 0,
  maxArea: 1,
  trackHoldMs: 0,
});
const scheduler = new DetectionScheduler(regions, (r) => onResult?.(r), log);
await scheduler.start();

const session = await ort.InferenceSession.create(resolve(modelsDir, model.file), {
  executionProviders: ["cpu"],
  intraOpNumThreads: THREADS,
  interOpNumThreads: 1,
  graphOptimizationLevel: "all",
  logSeverityLevel: 3,
});
const bareInput = new Float32Array(rgb.length);
rgbToTensor(rgb, bareInput, pixelTables(model.input));
const bareTensor = new ort.Tensor("float32", bareInput, model.input.shape);
await session.run({ [model.input.name]: bareTensor });

let detections = 0;
let index = 0;

/** One frame alone: submitted when the previous result is out (a quiet box, one camera). */
async function pathLatency(): Promise<number> {
  const t0 = performance.now();
  const done = new Promise<DetectionResult>((r) => (onResult = r));
  scheduler.submit(frameAt("cam", ++index));
  detections = (await done).detections.length;
  return performance.now() - t0;
}

/**
 * Saturated: three cameras, each sending its next frame as soon as its last result is out, so a
 * frame always waits. Milliseconds per result over `n` results.
 */
async function pathThroughput(n: number): Promise<number> {
  let results = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    onResult = (r) => {
      results += 1;
      if (results === n) resolve();
      if (results < n) scheduler.submit(frameAt(r.cameraId, ++index));
    };
    for (const cam of ["cam-a", "cam-b", "cam-c"]) scheduler.submit(frameAt(cam, ++index));
  });
  const ms = (performance.now() - t0) / n;
  // Let what is still in flight finish before the bare loop's turn.
  onResult = undefined;
  while (scheduler.working) await new Promise((r) => setTimeout(r, 1));
  return ms;
}

async function bareOnce(): Promise<number> {
  const t0 = performance.now();
  await session.run({ [model.input.name]: bareTensor });
  return performance.now() - t0;
}

const latencyMs: number[] = [];
const throughputMs: number[] = [];
const bareMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < PER_ROUND; i++) latencyMs.push(await pathLatency());
  throughputMs.push(await pathThroughput(PER_ROUND));
  for (let i = 0; i < PER_ROUND; i++) bareMs.push(await bareOnce());
}
const lat = median(latencyMs);
const thr = median(throughputMs);
const b = median(bareMs);
console.log(
  `detector path bench: ${model.id}, ${ROUNDS} alternating rounds of ${PER_ROUND}, onnxruntime-node ${ort.env.versions.common} cpu, ${THREADS} threads`,
);
console.log(`bare ORT loop (session.run only):         median ${fmt(b)} ms (${fmt(1000 / b, 1)} frames/s)`);
console.log(
  `daemon path, saturated (3 cameras):      median ${fmt(thr)} ms per frame (${fmt(1000 / thr, 1)} frames/s)`,
);
console.log(
  `daemon path, one frame at a time:         median ${fmt(lat)} ms (${fmt(1000 / lat, 1)} frames/s), ${detections} detections`,
);
const frames = ["cam", "cam-a", "cam-b", "cam-c"].reduce((n, c) => n + regions.regionStats(c).frames, 0);
console.log(`frames ${working.width}x${working.height}, ${fmt(detector.stats.runs / frames, 3)} model runs per frame`);
console.log(
  `throughput ratio path / bare: ${fmt(thr / b, 3)} (goal <= 1.10); single-frame latency ratio: ${fmt(lat / b, 3)}`,
);
await scheduler.stop();
await detector.stop();
await session.release();
