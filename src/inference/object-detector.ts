import type { Frame } from "../contract/detection.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { computeLetterbox, type Letterbox } from "../ingest/letterbox.js";
import { buildDetectionFilter, type DetectionFilter, filterDetections } from "./decoders/detection-filter.js";
import { objectDecoder } from "./decoders/index.js";
import type { ObjectDecoder } from "./decoders/types.js";
import type { FrameDetection } from "./face-detector.js";
import { modelInputSize } from "./model-input.js";
import { type DetectorStats, ModelRunner, type ModelRunnerOptions } from "./providers/model-runner.js";
import type { ProviderStatus } from "./providers/provider-chain.js";
import { pixelTables, type PixelTables, rgbToTensor } from "./preprocess.js";

export interface ObjectDetectorOptions extends ModelRunnerOptions {
  /** Labels to report; the rest of the model's classes are never decoded into boxes. */
  readonly track: readonly string[];
  readonly scoreThreshold: number;
  readonly labelThresholds?: Readonly<Record<string, number>>;
  /** Box area relative to the source frame. */
  readonly minArea?: number;
  readonly maxArea?: number;
  readonly iouThreshold: number;
  readonly maxDetections?: number;
}

/**
 * Any manifest object detector (NanoDet, YOLOv5, YOLOv8/YOLO11 exports): preprocessing from the
 * manifest's input block, inference through the provider chain, the decoder the manifest names,
 * then mapping to the source frame, per-label thresholds, area filter and per-class NMS.
 */
export class ObjectDetector implements Component {
  readonly name = "object-detector";
  readonly inputWidth: number;
  readonly inputHeight: number;
  private readonly runner: ModelRunner;
  private readonly tables: PixelTables;
  private readonly decode: ObjectDecoder;
  private readonly filter: DetectionFilter;
  private letterbox: Letterbox | undefined;

  constructor(options: ObjectDetectorOptions, log: Logger) {
    const { model } = options;
    if (model.task !== "object-detection") throw new VigilError(ErrorCodes.MANIFEST_INVALID, `model "${model.id}" is a ${model.task} model, not object-detection`);
    const { width, height, channels } = modelInputSize(model);
    if (channels !== 3 || model.input.shape[0] !== 1) throw new VigilError(ErrorCodes.MANIFEST_INVALID, `model "${model.id}": input shape [${model.input.shape.join(",")}] is not one 3-channel ${model.input.layout} image`);
    this.decode = objectDecoder(model.decoder, model.id);
    const { filter, unknownLabels } = buildDetectionFilter({
      labels: model.labels,
      track: options.track,
      scoreThreshold: options.scoreThreshold,
      labelThresholds: options.labelThresholds,
      minArea: options.minArea,
      maxArea: options.maxArea,
      iouThreshold: options.iouThreshold,
      maxDetections: options.maxDetections,
    });
    if (unknownLabels.length > 0) {
      throw new VigilError(ErrorCodes.CONFIG_INVALID, `detector.labels: model "${model.id}" has no label ${unknownLabels.join(", ")}`, { details: { path: "detector.labels" } });
    }
    this.filter = filter;
    this.inputWidth = width;
    this.inputHeight = height;
    this.tables = pixelTables(model.input);
    this.runner = new ModelRunner(options, log);
  }

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

  async detect(frame: Frame): Promise<FrameDetection> {
    if (frame.width !== this.inputWidth || frame.height !== this.inputHeight) {
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `frame is ${frame.width}x${frame.height}, detector expects ${this.inputWidth}x${this.inputHeight}`);
    }
    rgbToTensor(frame.rgb, this.runner.input, this.tables);
    const { outputs, provider, ms } = await this.runner.run();
    const raw = this.decode({ outputs, inputWidth: this.inputWidth, inputHeight: this.inputHeight, minScoreByClass: this.filter.minScoreByClass });
    return { detections: filterDetections(raw, this.filter, this.letterboxFor(frame)), inferenceMs: ms, provider };
  }

  /** Cameras rarely change size, so the last geometry is kept rather than recomputed per frame. */
  private letterboxFor(frame: Frame): Letterbox | undefined {
    const src = frame.source;
    if (!src) return undefined;
    const lb = this.letterbox;
    if (lb && lb.srcWidth === src.width && lb.srcHeight === src.height) return lb;
    this.letterbox = computeLetterbox(src.width, src.height, this.inputWidth, this.inputHeight);
    return this.letterbox;
  }
}
