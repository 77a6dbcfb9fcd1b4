// Load shedding with the real parts: BlazeFace on onnxruntime, the detection scheduler, the motion
// gate and the shedder. Four cameras flood the detector; their rates are cut evenly, none to zero,
// and given back once the flood stops.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Frame } from "../../src/contract/detection.js";
import { DetectionScheduler } from "../../src/inference/detection-scheduler.js";
import { FaceDetector } from "../../src/inference/face-detector.js";
import { findModel, readManifest } from "../../src/inference/model-manifest.js";
import { decodeJpeg } from "../../src/ingest/jpeg-decoder.js";
import { LoadShedder } from "../../src/ingest/load-shedder.js";
import { MotionGate } from "../../src/ingest/motion-gate.js";
import { silentLogger } from "../helpers/uplink-stack.js";
import { fixturePath, requireFixtures } from "../helpers/rtsp-server.js";

const MODELS = resolve(import.meta.dirname, "..", "..", "..", "models");
const IDS = ["a", "b", "c", "d"];
const CONFIGURED_FPS = 100;

void describe("load shedding", () => {
  let detector: FaceDetector;
  before(async () => {
    requireFixtures();
    const model = findModel(await readManifest(MODELS), "blazeface-back-256");
    detector = new FaceDetector(
      {
        modelsDir: MODELS,
        model,
        scoreThreshold: 0.6,
        iouThreshold: 0.3,
        providers: [{ id: "cpu", backend: "cpu", threads: 1 }],
        deadlineMs: 30_000,
      },
      silentLogger(),
    );
    await detector.start();
  });
  after(async () => detector.stop());

  void it("an overloaded detector gets every camera's rate cut evenly, none to zero, and restored when load falls", async () => {
    const log = silentLogger();
    const { rgb } = await decodeJpeg(await readFile(join(fixturePath("photos"), "sample1.jpg")), 256, 256);
    const scheduler = new DetectionScheduler(detector, () => {}, log);
    await scheduler.start();
    const gate = new MotionGate(
      () => undefined,
      (frame) => scheduler.submit(frame),
    );
    const shedder = new LoadShedder({
      cameras: () => IDS.map((id) => ({ id, fps: CONFIGURED_FPS })),
      detection: (id) => scheduler.stats(id),
      gate,
      detectorMeanMs: () => detector.stats.meanMs,
      intervalMs: 60_000,
      policy: { minFps: 1 },
      log,
    });
    let index = 0;
    const offer = (): void => {
      for (const cameraId of IDS)
        gate.offer({
          cameraId,
          index: index++,
          capturedAt: Date.now(),
          width: 256,
          height: 256,
          rgb,
          source: undefined,
        } satisfies Frame);
    };
    // Every camera at 100 fps: 400 frames a second against a detector that manages far fewer.
    let flood = setInterval(offer, 1000 / CONFIGURED_FPS);
    const windows = async (n: number, ms: number): Promise<void> => {
      for (let k = 0; k < n; k++) {
        await new Promise((r) => setTimeout(r, ms));
        shedder.evaluate();
      }
    };
    try {
      shedder.evaluate();
      await windows(4, 600);
      const shed = shedder.state;
      assert.equal(shed.active, true);
      assert.ok(shed.sheds >= 1);
      assert.match(shed.reason ?? "", /detector cannot keep up/);
      const rates = IDS.map((id) => shed.cameras[id] ?? 0);
      for (const r of rates) assert.ok(r >= 1 && r < CONFIGURED_FPS, `rates ${rates.join(", ")}`);
      // Evenly: no camera keeps more than about twice another's rate.
      assert.ok(Math.max(...rates) <= Math.min(...rates) * 2 + 1, `rates ${rates.join(", ")}`);
      // The detector no longer drops most frames: the gate holds them back instead.
      const before = IDS.map((id) => scheduler.stats(id).skipped);
      const shedBefore = IDS.map((id) => gate.stats(id).shed);
      await windows(1, 600);
      const skipped = IDS.reduce((s, id, k) => s + scheduler.stats(id).skipped - (before[k] ?? 0), 0);
      const held = IDS.reduce((s, id, k) => s + gate.stats(id).shed - (shedBefore[k] ?? 0), 0);
      assert.ok(held > skipped, `held at the gate ${held}, dropped busy ${skipped}`);
      for (const id of IDS) assert.ok(scheduler.stats(id).analysed > 0, `${id} analysed nothing`);

      // The flood stops; 2 fps per camera is easy work, so the caps come back step by step.
      clearInterval(flood);
      flood = setInterval(offer, 500);
      await windows(25, 250);
      assert.equal(shedder.state.active, false, JSON.stringify(shedder.state));
      assert.equal(shedder.state.reason, null);
      for (const id of IDS) assert.equal(gate.limitOf(id), undefined);
    } finally {
      clearInterval(flood);
      await scheduler.stop();
    }
  });
});
