import type { Detection, Frame } from "../../contract/detection.js";
import type { Logger } from "../../core/logger.js";
import type { FrameDetector } from "../detection-scheduler.js";
import { type FaceFinder, facesInRegions } from "./faces-in-regions.js";
import { headRegions } from "./head-regions.js";

export interface FaceStageOptions {
  /** People whose head squares are searched, the largest first. */
  readonly maxPeople: number;
  /** Head squares narrower than this (frame pixels) cannot hold a face worth recognising. */
  readonly minHeadPx: number;
}

/**
 * Adds face detections to an object detector's, found where the people are: the face model runs
 * on each person's head square cut from the frame at working resolution, so a face 40 px wide in
 * the frame reaches the model (and then the aligner) with its own pixels, not shrunk with the
 * whole frame. Both lists go out together for the recogniser downstream. A face model failure is
 * logged and the object detections still go out: faces are the extra, objects the box's job.
 */
export class FaceDetectionStage implements FrameDetector {
  constructor(
    private readonly objects: FrameDetector,
    private readonly faces: FaceFinder,
    private readonly options: FaceStageOptions,
    private readonly log: Logger,
  ) {}

  async detect(frame: Frame): ReturnType<FrameDetector["detect"]> {
    const result = await this.objects.detect(frame);
    try {
      const people = result.detections.filter((d: Detection) => d.label === "person");
      const heads = headRegions(people, frame.width, frame.height, { minSide: this.options.minHeadPx, max: this.options.maxPeople });
      if (heads.length === 0) return result;
      const { faces, inferenceMs } = await facesInRegions(frame, heads, this.faces, frame);
      return { ...result, detections: [...result.detections, ...faces], inferenceMs: result.inferenceMs + inferenceMs };
    } catch (err) {
      this.log.warn({ err, camera: frame.cameraId }, "face detection failed; object detections kept");
      return result;
    }
  }
}
