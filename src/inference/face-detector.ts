import type { Detection, Frame } from "../contract/detection.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { computeLetterbox, letterboxPointToSource, letterboxToSource } from "../ingest/letterbox.js";
import { decodeBlazeFace } from "./blazeface-decode.js";
import type { ModelEntry } from "./model-manifest.js";
import { type DetectorStats, ModelRunner, type ModelRunnerOptions } from "./providers/model-runner.js";
import type { ProviderStatus } from "./providers/provider-chain.js";
import { pixelTables, type PixelTables, rgbToTensor } from "./preprocess.js";

export type { DetectorStats } from "./providers/model-runner.js";

export interface FaceDetectorOptions extends ModelRunnerOptions {
  readonly scoreThreshold: number;
  readonly iouThreshold: number;
}

export interface FrameDetection {
  readonly detections: Detection[];
  readonly inferenceMs: number;
  readonly provider: string;
}

/**
 * BlazeFace behind the provider chain. The model file is checked against the manifest's sha256
 * before it is loaded, so a truncated or swapped file fails start with a clear error instead of
 * producing garbage detections; a provider that cannot run it is reported in health instead.
 */
export class FaceDetector implements Component {
  readonly name = "face-detector";
  readonly inputWidth: number;
  readonly inputHeight: number;
  private readonly inputSize: 128 | 256;
  private readonly runner: ModelRunner;
  private readonly tables: PixelTables;

  constructor(
    private readonly options: FaceDetectorOptions,
    log: Logger,
  ) {
    const model: ModelEntry = options.model;
    const [, h, w, c] = model.input.shape;
    if (model.decoder !== "blazeface" || model.input.layout !== "NHWC" || c !== 3 || h === undefined || w !== h || (w !== 128 && w !== 256)) {
      throw new VigilError(ErrorCodes.MANIFEST_INVALID, `model "${model.id}" is not a BlazeFace 128 or 256 NHWC model`);
    }
    this.inputSize = w;
    this.inputWidth = w;
    this.inputHeight = h;
    this.tables = pixelTables(model.input);
    this.runner = new ModelRunner(options, log);
  }

  /** At least one provider has the model loaded and warmed up. */
  get loaded(): boolean {
    return this.runner.loaded;
  }

  get stats(): DetectorStats {
    return this.runner.stats;
  }

  providers(): ProviderStatus[] {
    return this.runner.providers();
  }

  /** The provider the next frame goes to, if any can take it. */
  get provider(): string | undefined {
    return this.runner.chain.active;
  }

  async start(): Promise<void> {
    await this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
  }

  /** Faces in one frame, boxes mapped back to the source frame when its size is known. */
  async detect(frame: Frame): Promise<FrameDetection> {
    if (frame.width !== this.inputWidth || frame.height !== this.inputHeight) {
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `frame is ${frame.width}x${frame.height}, detector expects ${this.inputWidth}x${this.inputHeight}`);
    }
    rgbToTensor(frame.rgb, this.runner.input, this.tables);
    const { outputs, provider, ms } = await this.runner.run();
    const [s0, s1, r0, r1] = outputs.map((o) => o.data);
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
    return { detections, inferenceMs: ms, provider };
  }
}
