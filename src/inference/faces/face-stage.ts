import type { Detection, Frame } from "../../contract/detection.js";
import type { Logger } from "../../core/logger.js";
import type { FrameDetector } from "../detection-scheduler.js";
import { resizeRgbBilinear } from "../rgb-resize.js";

/**
 * Adds face detections to an object detector's: the frame (letterboxed for the object model) is
 * scaled to the face model's input and run through it, and both lists go out together so the
 * recogniser downstream sees faces whichever model the box uses for people and vehicles. A face
 * model failure is logged and the object detections still go out: faces are the extra, objects
 * the box's job.
 */
export class FaceDetectionStage implements FrameDetector {
  constructor(
    private readonly objects: FrameDetector,
    private readonly faces: FrameDetector,
    private readonly faceInput: { readonly width: number; readonly height: number },
    private readonly log: Logger,
  ) {}

  async detect(frame: Frame): Promise<{ detections: Detection[]; inferenceMs: number; provider?: string }> {
    const result = await this.objects.detect(frame);
    try {
      const { width, height } = this.faceInput;
      const scaled: Frame = frame.width === width && frame.height === height ? frame : { ...frame, width, height, rgb: resizeRgbBilinear(frame.rgb, frame.width, frame.height, width, height) };
      const faces = await this.faces.detect(scaled);
      return { ...result, detections: [...result.detections, ...faces.detections], inferenceMs: result.inferenceMs + faces.inferenceMs };
    } catch (err) {
      this.log.warn({ err, camera: frame.cameraId }, "face detection failed; object detections kept");
      return result;
    }
  }
}
