import * as ort from "onnxruntime-node";
import type { Detection, Frame } from "../contract/detection.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { computeLetterbox, letterboxPointToSource, letterboxToSource } from "../ingest/letterbox.js";
import { decodeBlazeFace } from "./blazeface-decode.js";
import { type ModelEntry, verifyModelFile } from "./model-manifest.js";
import { rgbToTensorData } from "./preprocess.js";

export interface FaceDetectorOptions {
  readonly modelsDir: string;
  readonly model: ModelEntry;
  readonly scoreThreshold: number;
  readonly iouThreshold: number;
  readonly threads: number;
}

export interface DetectorStats {
  readonly runs: number;
  readonly lastMs: number | undefined;
  readonly meanMs: number | undefined;
}

/**
 * BlazeFace on onnxruntime-node. The model file is checked against the manifest's sha256 before
 * it is loaded, so a truncated or swapped file fails start with a clear error instead of producing
 * garbage detections. CPU provider for now; provider chains and failover come with the inference work.
 */
export class FaceDetector implements Component {
  readonly name = "face-detector";
  private session: ort.InferenceSession | undefined;
  private input: Float32Array;
  private runs = 0;
  private totalMs = 0;
  private lastMs: number | undefined;
  readonly inputWidth: number;
  readonly inputHeight: number;
  private readonly inputSize: 128 | 256;

  constructor(
    private readonly options: FaceDetectorOptions,
    private readonly log: Logger,
  ) {
    const [, h, w, c] = options.model.input.shape;
    if (options.model.decoder !== "blazeface" || options.model.input.layout !== "NHWC" || c !== 3 || h === undefined || w !== h || (w !== 128 && w !== 256)) {
      throw new VigilError(ErrorCodes.MANIFEST_INVALID, `model "${options.model.id}" is not a BlazeFace 128 or 256 NHWC model`);
    }
    this.inputSize = w;
    this.inputWidth = w;
    this.inputHeight = h;
    this.input = new Float32Array(w * h * 3);
  }

  get loaded(): boolean {
    return this.session !== undefined;
  }

  get stats(): DetectorStats {
    return { runs: this.runs, lastMs: this.lastMs, meanMs: this.runs > 0 ? this.totalMs / this.runs : undefined };
  }

  async start(): Promise<void> {
    const path = await verifyModelFile(this.options.modelsDir, this.options.model);
    try {
      this.session = await ort.InferenceSession.create(path, {
        executionProviders: ["cpu"],
        intraOpNumThreads: this.options.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        logSeverityLevel: 3,
      });
    } catch (err) {
      throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `cannot load model "${this.options.model.id}" from ${path}: ${(err as Error).message}`, { cause: err });
    }
    const missing = this.options.model.outputs.filter((o) => !this.session?.outputNames.includes(o));
    if (missing.length > 0) throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `model "${this.options.model.id}" lacks outputs ${missing.join(", ")}`);
    this.log.info({ model: this.options.model.id, provider: "cpu", threads: this.options.threads }, "detector loaded");
  }

  async stop(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  /** Faces in one frame, boxes mapped back to the source frame when its size is known. */
  async detect(frame: Frame): Promise<{ detections: Detection[]; inferenceMs: number }> {
    const session = this.session;
    if (!session) throw new VigilError(ErrorCodes.INFERENCE_FAILED, "detector is not loaded");
    if (frame.width !== this.inputWidth || frame.height !== this.inputHeight) {
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `frame is ${frame.width}x${frame.height}, detector expects ${this.inputWidth}x${this.inputHeight}`);
    }
    const { input, model } = { input: this.input, model: this.options.model };
    rgbToTensorData(frame.rgb, input, model.input.scale, model.input.offset, model.input.color === "BGR");
    const t0 = performance.now();
    const out = await session.run({ [model.input.name]: new ort.Tensor("float32", input, model.input.shape) });
    const inferenceMs = performance.now() - t0;
    this.runs += 1;
    this.totalMs += inferenceMs;
    this.lastMs = inferenceMs;
    const [s0, s1, r0, r1] = model.outputs.map((name) => out[name]?.data as Float32Array);
    if (!s0 || !s1 || !r0 || !r1) throw new VigilError(ErrorCodes.INFERENCE_FAILED, "model returned no outputs");
    const faces = decodeBlazeFace({ scores: [s0, s1], regressors: [r0, r1] }, this.inputSize, {
      scoreThreshold: this.options.scoreThreshold,
      iouThreshold: this.options.iouThreshold,
    });
    const lb = frame.source ? computeLetterbox(frame.source.width, frame.source.height, this.inputWidth, this.inputHeight) : undefined;
    const detections = faces.map((f) => ({
      label: "face",
      score: f.score,
      box: lb ? letterboxToSource(f.box, lb) : f.box,
      // Alignment for recognition needs them; same coordinates as the box.
      keypoints: lb ? f.keypoints.map((p) => letterboxPointToSource(p, lb)) : f.keypoints,
    }));
    return { detections, inferenceMs };
  }
}
