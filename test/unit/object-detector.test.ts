import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isVigilError } from "../../src/core/errors.js";
import type { ModelEntry } from "../../src/inference/model-manifest.js";
import { ObjectDetector, type ObjectDetectorOptions } from "../../src/inference/object-detector.js";
import { COCO_LABELS } from "../helpers/coco-labels.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const YOLO11: ModelEntry = {
  id: "yolo11n",
  task: "object-detection",
  decoder: "yolo11",
  file: "yolo11n.onnx",
  sha256: "0".repeat(64),
  input: { name: "images", shape: [1, 3, 640, 480], layout: "NCHW", color: "RGB", scale: 1 / 255, offset: 0 },
  outputs: ["output0"],
  labels: COCO_LABELS,
  licence: "AGPL-3.0",
};

const options = (over: Partial<ObjectDetectorOptions> = {}): ObjectDetectorOptions => ({
  modelsDir: "/nonexistent",
  model: YOLO11,
  providers: [{ id: "cpu", backend: "cpu", threads: 1 }],
  deadlineMs: 1000,
  track: ["person", "car"],
  scoreThreshold: 0.4,
  iouThreshold: 0.5,
  ...over,
});

void describe("ObjectDetector configuration", () => {
  void it("reads width and height from an NCHW shape", () => {
    const d = new ObjectDetector(options(), silentLogger());
    assert.deepEqual([d.inputWidth, d.inputHeight], [480, 640]);
  });

  void it("refuses a face model, an unknown decoder and a batch input as manifest errors", () => {
    const bad = (model: ModelEntry): void =>
      assert.throws(
        () => new ObjectDetector(options({ model }), silentLogger()),
        (err) => isVigilError(err, "VIGIL_E_MANIFEST_INVALID"),
      );
    bad({ ...YOLO11, task: "face-detection" });
    bad({ ...YOLO11, decoder: "detr" });
    bad({ ...YOLO11, input: { ...YOLO11.input, shape: [4, 3, 640, 640] } });
  });

  void it("refuses tracked labels the model does not have, naming detector.labels", () => {
    assert.throws(
      () => new ObjectDetector(options({ track: ["person", "forklift"] }), silentLogger()),
      (err) =>
        isVigilError(err, "VIGIL_E_CONFIG_INVALID") &&
        err.details?.path === "detector.labels" &&
        /forklift/.test(err.message),
    );
  });
});
