// NanoDet-g 416 (converted from TF.js by the models toolchain) through ObjectDetector on real
// photos from Debian's darknet package, framed by the same ffmpeg letterbox the daemon uses.
// The model file comes from `vigil models fetch` (the test data step of `npm test`). BlazeFace runs
// on each person's head square, as the daemon does when face recognition is on.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { readFile } from "node:fs/promises";
import * as ort from "onnxruntime-node";
import type { Detection, Frame } from "../../src/contract/detection.js";
import { iou } from "../../src/core/geometry.js";
import { frameShape, withUint8Input } from "../../src/inference/convert/uint8-input.js";
import { findModel, type ModelEntry, readManifest } from "../../src/inference/model-manifest.js";
import { pixelTables, rgbToTensor } from "../helpers/float-preprocess.js";
import { FaceDetector } from "../../src/inference/face-detector.js";
import { FaceDetectionStage } from "../../src/inference/faces/face-stage.js";
import { ObjectDetector } from "../../src/inference/object-detector.js";
import { RegionDetector } from "../../src/inference/regions/region-detector.js";
import { decodeJpegToWorkingSize } from "../../src/ingest/jpeg-decoder.js";
import { letterboxFilter } from "../../src/core/letterbox.js";
import { silentLogger } from "../helpers/uplink-stack.js";
import { ROOT } from "../helpers/repo-root.js";

const run = promisify(execFile);
const PHOTOS = join(ROOT, "test/fixtures/data/photos");
const MODELS_DIR = join(ROOT, "models");
const SIZE = 416;

async function letterboxed(name: string): Promise<Frame> {
  const file = join(PHOTOS, `${name}.jpg`);
  const probe = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=width,height",
    "-of",
    "csv=p=0",
    file,
  ]);
  const [width, height] = probe.stdout.trim().split(",").map(Number);
  const { stdout } = await run(
    "ffmpeg",
    ["-v", "error", "-i", file, "-vf", letterboxFilter(SIZE, SIZE), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    { encoding: "buffer", maxBuffer: 1 << 24 },
  );
  return {
    cameraId: "cam",
    index: 0,
    capturedAt: 0,
    width: SIZE,
    height: SIZE,
    rgb: stdout,
    source: { width: width!, height: height! },
  };
}

/** The best detection of a label and how well it overlaps where the object really is. */
function expectObject(
  dets: readonly Detection[],
  label: string,
  where: [number, number, number, number],
  name: string,
): void {
  const ref = { x1: where[0], y1: where[1], x2: where[2], y2: where[3] };
  const hits = dets.filter((d) => d.label === label);
  const best = Math.max(0, ...hits.map((d) => iou(d.box, ref)));
  assert.ok(best >= 0.6, `${name}: no ${label} near ${JSON.stringify(ref)}; got ${JSON.stringify(dets)}`);
}

void describe("NanoDet-g 416 on real photos", () => {
  let detector: ObjectDetector;
  let faces: FaceDetector;
  let model: ModelEntry;

  before(async () => {
    const manifest = await readManifest(MODELS_DIR);
    model = findModel(manifest, "nanodet-g-416");
    assert.ok(existsSync(join(MODELS_DIR, model.file)), `run "vigil models fetch": ${model.file} is missing`);
    faces = new FaceDetector(
      {
        modelsDir: MODELS_DIR,
        model: findModel(manifest, "blazeface-back-256"),
        scoreThreshold: 0.6,
        iouThreshold: 0.3,
        providers: [{ id: "cpu", backend: "cpu", threads: 1 }],
        deadlineMs: 30_000,
      },
      silentLogger(),
    );
    await faces.start();
    detector = new ObjectDetector(
      {
        modelsDir: MODELS_DIR,
        model,
        providers: [{ id: "cpu", backend: "cpu", threads: 2 }],
        deadlineMs: 30_000,
        track: ["person", "horse", "dog", "bicycle", "car", "truck"],
        // NanoDet-g is modest on letterboxed input: the man scores ~0.43, the horse ~0.37.
        scoreThreshold: 0.3,
        iouThreshold: 0.5,
      },
      silentLogger(),
    );
    await detector.start();
    assert.equal(detector.loaded, true, JSON.stringify(detector.providers()));
  });

  after(async () => {
    await detector?.stop();
    await faces?.stop();
  });

  void it("runs the same with the normalisation in the graph as with float input built in JavaScript", async () => {
    // The providers feed uint8 frames to the model rewritten by withUint8Input; the manifest's
    // arithmetic done by lookup tables on the original file is the reference.
    const frame = await letterboxed("person");
    const file = await readFile(join(MODELS_DIR, model.file));
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: ["cpu"],
      intraOpNumThreads: 2,
      logSeverityLevel: 3,
    };
    const plain = await ort.InferenceSession.create(file, options);
    const baked = await ort.InferenceSession.create(
      withUint8Input(file, { name: model.input.name, shape: model.input.shape, encoding: model.input }),
      options,
    );
    try {
      const float = rgbToTensor(frame.rgb, new Float32Array(frame.rgb.length), pixelTables(model.input));
      const a = await plain.run({ [model.input.name]: new ort.Tensor("float32", float, model.input.shape) });
      const b = await baked.run({
        [model.input.name]: new ort.Tensor(
          "uint8",
          Uint8Array.from(frame.rgb),
          frameShape({ shape: model.input.shape, encoding: model.input }),
        ),
      });
      let worst = 0;
      for (const name of model.outputs) {
        const x = a[name]?.data as Float32Array;
        const y = b[name]?.data as Float32Array;
        assert.equal(x.length, y.length, name);
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
      }
      assert.ok(worst < 1e-4, `max abs difference ${worst}`);
    } finally {
      await plain.release();
      await baked.release();
    }
  });

  // Reference boxes in source-frame fractions, from the photos (the man centre, horse right, dog
  // bottom left; in dog.jpg the dog bottom left under the bicycle, the truck top right).
  void it("finds the person, the horse and the dog in person.jpg", async () => {
    const { detections } = await detector.detect(await letterboxed("person"));
    expectObject(detections, "person", [0.29, 0.24, 0.43, 0.88], "person.jpg");
    expectObject(detections, "horse", [0.63, 0.33, 0.94, 0.81], "person.jpg");
    expectObject(detections, "dog", [0.1, 0.63, 0.31, 0.82], "person.jpg");
  });

  void it("finds the dog and the bicycle in dog.jpg", async () => {
    const { detections } = await detector.detect(await letterboxed("dog"));
    expectObject(detections, "dog", [0.17, 0.35, 0.43, 0.94], "dog.jpg");
    expectObject(detections, "bicycle", [0.15, 0.19, 0.75, 0.8], "dog.jpg");
  });

  void it("reports only tracked labels", async () => {
    const { detections } = await detector.detect(await letterboxed("horses"));
    assert.ok(detections.length > 0);
    assert.ok(
      detections.every((d) => ["person", "horse", "dog", "bicycle", "car", "truck"].includes(d.label)),
      JSON.stringify(detections),
    );
    assert.ok(detections.some((d) => d.label === "horse"));
  });

  void it("with a face model beside it, the people and the faces in their head squares (sample1.jpg)", async () => {
    // As the daemon runs it: the photo at working size, the whole frame through the region detector, faces from each person's pixels.
    const objects = new RegionDetector(detector, {
      settings: () => ({ regions: false, maxRegions: 1, fullFrameFps: 1, maxScale: 1 }),
      iouThreshold: 0.5,
      maxDetections: 100,
      minArea: 0,
      maxArea: 1,
      trackHoldMs: 0,
    });
    const stage = new FaceDetectionStage(objects, faces, { maxPeople: 5, minHeadPx: 24 }, silentLogger());
    const photo = await decodeJpegToWorkingSize(await readFile(join(PHOTOS, "sample1.jpg")), {
      maxWidth: 1280,
      maxHeight: 1280,
    });
    const { detections } = await stage.detect({
      cameraId: "cam",
      index: 0,
      capturedAt: 0,
      width: photo.width,
      height: photo.height,
      rgb: photo.rgb,
      source: photo.source,
    });
    const people = detections.filter((d) => d.label === "person");
    const found = detections.filter((d) => d.label === "face");
    assert.ok(people.length >= 2, JSON.stringify(detections));
    assert.equal(found.length, 3, JSON.stringify(found));
    // Each face lies in the top part of some person's box: the two models agree on the frame geometry.
    for (const face of found) {
      const cx = (face.box.x1 + face.box.x2) / 2;
      const cy = (face.box.y1 + face.box.y2) / 2;
      assert.ok(
        people.some(
          (p) => cx > p.box.x1 && cx < p.box.x2 && cy > p.box.y1 && cy < p.box.y1 + (p.box.y2 - p.box.y1) / 2,
        ),
        `face ${JSON.stringify(face.box)} is in nobody's head area`,
      );
    }
  });
});
