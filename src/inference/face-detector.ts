import type { Detection, Frame } from "../contract/detection.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { letterboxPointToSource, letterboxToSource } from "../core/letterbox.js";
import { decodeBlazeFace } from "./blazeface-decode.js";
import type { ModelEntry } from "./model-manifest.js";
import { ModelDetector } from "./model-detector.js";
import type { ModelRunnerOptions } from "./providers/model-runner.js";

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
export class FaceDetector extends ModelDetector {
  readonly name = "face-detector";
  private readonly inputSize: 128 | 256;

  constructor(
    private readonly options: FaceDetectorOptions,
    log: Logger,
  ) {
    const model: ModelEntry = options.model;
    const [, h, w, c] = model.input.shape;
    if (
      model.decoder !== "blazeface" ||
      model.input.layout !== "NHWC" ||
      c !== 3 ||
      h === undefined ||
      w !== h ||
      (w !== 128 && w !== 256)
    ) {
      throw new VigilError(ErrorCodes.MANIFEST_INVALID, `model "${model.id}" is not a BlazeFace 128 or 256 NHWC model`);
    }
    super(options, { width: w, height: h }, log);
    this.inputSize = w;
  }

  /** Faces in one frame, boxes and keypoints mapped back to the source frame when its size is known. */
  async detect(frame: Frame): Promise<FrameDetection> {
    const { outputs, provider, ms } = await this.infer(frame);
    const [s0, s1, r0, r1] = outputs.map((o) => o.data);
    if (!s0 || !s1 || !r0 || !r1) throw new VigilError(ErrorCodes.INFERENCE_FAILED, "model returned no outputs");
    const faces = decodeBlazeFace({ scores: [s0, s1], regressors: [r0, r1] }, this.inputSize, {
      scoreThreshold: this.options.scoreThreshold,
      iouThreshold: this.options.iouThreshold,
    });
    const lb = this.letterboxFor(frame);
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
