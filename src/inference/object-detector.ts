import type { Frame } from "../contract/detection.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import {
  buildDetectionFilter,
  type DetectionFilter,
  type FilterSettings,
  filterDetections,
} from "./decoders/detection-filter.js";
import { objectDecoder } from "./decoders/index.js";
import type { ObjectDecoder } from "./decoders/types.js";
import type { FrameDetection } from "./face-detector.js";
import { ModelDetector } from "./model-detector.js";
import { modelInputSize } from "./model-input.js";
import type { ModelRunnerOptions } from "./providers/model-runner.js";

/** Labels to report (`track`; the rest of the model's classes are never decoded), thresholds, area and NMS. */
export interface ObjectDetectorOptions extends ModelRunnerOptions, Omit<FilterSettings, "labels" | "preTopK"> {}

/**
 * Any manifest object detector (NanoDet, YOLOv5, YOLOv8/YOLO11 exports): preprocessing from the
 * manifest's input block, inference through the provider chain, the decoder the manifest names,
 * then mapping to the source frame, per-label thresholds, area filter and per-class NMS.
 */
export class ObjectDetector extends ModelDetector {
  readonly name = "object-detector";
  private readonly decode: ObjectDecoder;
  private readonly filter: DetectionFilter;

  constructor(options: ObjectDetectorOptions, log: Logger) {
    const { model } = options;
    if (model.task !== "object-detection")
      throw new VigilError(
        ErrorCodes.MANIFEST_INVALID,
        `model "${model.id}" is a ${model.task} model, not object-detection`,
      );
    const { width, height, channels } = modelInputSize(model);
    if (channels !== 3 || model.input.shape[0] !== 1)
      throw new VigilError(
        ErrorCodes.MANIFEST_INVALID,
        `model "${model.id}": input shape [${model.input.shape.join(",")}] is not one 3-channel ${model.input.layout} image`,
      );
    const { filter, unknownLabels } = buildDetectionFilter({ ...options, labels: model.labels });
    if (unknownLabels.length > 0) {
      throw new VigilError(
        ErrorCodes.CONFIG_INVALID,
        `detector.labels: model "${model.id}" has no label ${unknownLabels.join(", ")}`,
        { details: { path: "detector.labels" } },
      );
    }
    super(options, { width, height }, log);
    this.decode = objectDecoder(model.decoder, model.id);
    this.filter = filter;
  }

  async detect(frame: Frame): Promise<FrameDetection> {
    const { outputs, provider, ms } = await this.infer(frame);
    const raw = this.decode({
      outputs,
      inputWidth: this.inputWidth,
      inputHeight: this.inputHeight,
      minScoreByClass: this.filter.minScoreByClass,
    });
    return { detections: filterDetections(raw, this.filter, this.letterboxFor(frame)), inferenceMs: ms, provider };
  }
}
