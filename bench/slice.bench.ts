/**
 * The slice as the daemon runs it, in one process: GStreamer RTSP server -> ffmpeg -> frame
 * assembler -> detection scheduler -> BlazeFace 256 on CPU. Reports, per camera count, decoded and
 * analysed frames per second, frames skipped because the detector was busy, detector milliseconds
 * per frame, time to the first frame, and the process's RSS. One camera is the baseline.
 */
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { resolve } from "node:path";
import type { CameraConfig } from "../src/config/schema.js";
import { createLogger } from "../src/core/logger.js";
import { DetectionScheduler } from "../src/inference/detection-scheduler.js";
import { FaceDetector } from "../src/inference/face-detector.js";
import { RegionDetector } from "../src/inference/regions/region-detector.js";
import { regionSettingsOf } from "../src/inference/regions/region-settings.js";
import { findModel, readManifest } from "../src/inference/model-manifest.js";
import { providerSpecs } from "../src/inference/providers/model-runner.js";
import { CameraManager } from "../src/ingest/camera-manager.js";
import { fixturePath, startRtspServer } from "../test/helpers/rtsp-server.js";
import { fmt } from "./stats.js";
import { ROOT } from "../test/helpers/repo-root.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SOURCE_FPS = 25;
const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

const manifest = await readManifest(resolve(ROOT, "models"));
const model = findModel(manifest, "blazeface-back-256");
const rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: SOURCE_FPS });

async function run(cameraCount: number, detectFps: number): Promise<void> {
  const detector = new FaceDetector(
    {
      modelsDir: resolve(ROOT, "models"),
      model,
      scoreThreshold: 0.6,
      iouThreshold: 0.3,
      providers: providerSpecs(["cpu"], 2),
      deadlineMs: 5000,
    },
    log,
  );
  await detector.start();
  let results = 0;
  // As the daemon runs it: regions of the working-resolution frame (defaults).
  const regions = new RegionDetector(detector, {
    settings: () => regionSettingsOf(undefined),
    iouThreshold: 0.3,
    maxDetections: 100,
    minArea: 0,
    maxArea: 1,
    trackHoldMs: 2000,
  });
  const scheduler = new DetectionScheduler(regions, () => results++, log);
  await scheduler.start();
  const cameras: CameraConfig[] = Array.from({ length: cameraCount }, (_, i) => ({
    id: `cam${i}`,
    url: rtsp.url,
    enabled: true,
    detect: { fps: detectFps },
    push: { auth: "either" },
  }));
  const manager = new CameraManager(
    {
      cameras,
      stallTimeoutMs: 10_000,
      startTimeoutMs: 20_000,
      socketTimeoutS: 10,
      secretsDir: "/nonexistent",
      onFrame: (f) => scheduler.submit(f),
    },
    log,
  );
  const t0 = performance.now();
  await manager.start();
  while (manager.notYetStarted().length > 0) await sleep(20);
  const firstFrameMs = performance.now() - t0;
  const runs0 = detector.stats.runs;
  const decoded0 = [...manager.supervisors.values()].reduce((a, s) => a + s.stats.framesDecoded, 0);
  const skipped0 = cameras.reduce((a, c) => a + scheduler.stats(c.id).skipped, 0);
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(SECONDS * 1000);
  const wall = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const decoded = [...manager.supervisors.values()].reduce((a, s) => a + s.stats.framesDecoded, 0) - decoded0;
  const skipped = cameras.reduce((a, c) => a + scheduler.stats(c.id).skipped, 0) - skipped0;
  const analysed = detector.stats.runs - runs0;
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  console.log(
    `${String(cameraCount).padStart(7)}  ${String(detectFps).padStart(10)}  ${fmt(decoded / wall, 1).padStart(11)}  ${fmt(analysed / wall, 1).padStart(12)}  ${fmt(skipped / wall, 1).padStart(11)}  ${fmt(detector.stats.meanMs ?? Number.NaN).padStart(11)}  ${fmt(firstFrameMs, 0).padStart(14)}  ${fmt(((cpu.user + cpu.system) / 1e6 / wall) * 100, 0).padStart(13)}  ${fmt(rssMb, 0).padStart(6)}`,
  );
  await manager.stop();
  await scheduler.stop();
  await detector.stop();
}

console.log(
  `slice bench: RTSP source ${SOURCE_FPS} fps 640x480 H.264, ${SECONDS} s per row, BlazeFace 256 CPU 2 threads (ffmpeg CPU not included in node CPU%)`,
);
console.log("cameras  detect fps  decoded/s  analysed/s  skipped/s  detector ms  first frame ms  node CPU %  RSS MB");
try {
  await run(1, 5);
  await run(1, 25);
  await run(4, 5);
  await run(4, 25);
} finally {
  await rtsp.stop();
}
