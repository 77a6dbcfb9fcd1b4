import type { Detection, Frame } from "../../contract/detection.js";
import type { Logger } from "../../core/logger.js";
import type { FrameDetector } from "../detection-scheduler.js";
import { type FaceFinder, facesInRegions } from "./faces-in-regions.js";
import { headRegions } from "./head-regions.js";
import type { SharperFrames } from "./sharper-frame.js";

export interface FaceStageOptions {
  /** People whose head squares are searched, the largest first. */
  readonly maxPeople: number;
  /** Head squares narrower than this (pixels of the picture searched) cannot hold a face worth recognising. */
  readonly minHeadPx: number;
  /** The main stream's sharper picture of the moment, where a camera detects on its substream. */
  readonly sharper?: SharperFrames | undefined;
}

/** A snapshot is up to a fraction of a second from the analysed frame: its head squares are this much wider. */
const SNAPSHOT_HEAD_GROW = 1.5;

/**
 * Adds face detections to an object detector's, found where the people are: the face model runs
 * on each person's head square cut from the frame at working resolution, so a face 40 px wide in
 * the frame reaches the model (and then the aligner) with its own pixels, not shrunk with the
 * whole frame. Where the camera's main-stream snapshot of the moment is sharper (a camera detecting
 * on its substream), the squares are cut from that instead, and the recogniser aligns from it too
 * (`faceImage`). Both lists go out together for the recogniser downstream. A face model failure is
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
      if (people.length === 0) return result;
      // Boxes are normalised to the scene, so they place head squares in either picture.
      const sharp = await this.options.sharper?.near(frame.cameraId, frame.capturedAt, frame.width);
      const image = sharp ?? frame;
      const heads = headRegions(people, image.width, image.height, {
        minSide: this.options.minHeadPx,
        max: this.options.maxPeople,
        grow: sharp ? SNAPSHOT_HEAD_GROW : 1,
      });
      if (heads.length === 0) return result;
      const { faces, inferenceMs } = await facesInRegions(image, heads, this.faces, frame);
      return {
        ...result,
        detections: [...result.detections, ...faces],
        inferenceMs: result.inferenceMs + inferenceMs,
        ...(sharp ? { faceImage: sharp } : {}),
      };
    } catch (err) {
      this.log.warn({ err, camera: frame.cameraId }, "face detection failed; object detections kept");
      return result;
    }
  }
}
