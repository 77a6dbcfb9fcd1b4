import type { Frame } from "../../contract/detection.js";
import type { FacesFact } from "../../contract/faces.js";
import type { Logger } from "../../core/logger.js";
import type { FrameDetector } from "../detection-scheduler.js";
import { type FaceRecogniser, framePlacement } from "./face-recogniser.js";

/**
 * A detector that also recognises: after the inner detector has found faces in a frame, it
 * aligns, embeds and matches them while the frame's pixels are still at hand, and reports the
 * outcome as a `faces` fact. It sits in the scheduler's one-slot-per-camera loop, so recognition
 * costs frame rate under load, never a queue. A recognition failure is logged and the frame's
 * detections still go out.
 */
export class RecognisingDetector implements FrameDetector {
  constructor(
    private readonly inner: FrameDetector,
    private readonly recogniser: FaceRecogniser,
    private readonly emit: (fact: FacesFact) => void,
    private readonly options: { readonly reportUnknown: boolean; readonly active: () => boolean },
    private readonly log: Logger,
  ) {}

  async detect(frame: Frame): ReturnType<FrameDetector["detect"]> {
    const result = await this.inner.detect(frame);
    if (!this.options.active() || !result.detections.some((d) => d.label === "face")) return result;
    try {
      const image = result.faceImage ?? frame;
      const recognised = await this.recogniser.recognise(image, framePlacement(image), result.detections);
      // Why someone was or was not recognised is the installer's first question about a watchlist.
      // Built only when asked for: this runs on every frame with a face.
      if (this.log.isLevelEnabled("debug"))
        this.log.debug(
          {
            camera: frame.cameraId,
            faces: recognised.map((f) => ({
              person: f.identity?.person_id ?? null,
              similarity: Number(f.similarity.toFixed(3)),
              threshold: f.threshold,
            })),
          },
          "faces compared with the watchlist",
        );
      const faces = this.options.reportUnknown ? recognised : recognised.filter((f) => f.identity !== null);
      if (faces.length > 0)
        this.emit({ cameraId: frame.cameraId, frameIndex: frame.index, capturedAt: frame.capturedAt, faces });
    } catch (err) {
      this.log.warn({ err, camera: frame.cameraId }, "face recognition failed");
    }
    return result;
  }
}
