import type { DetectionResult, Detection, Frame, FrameRegion } from "../contract/detection.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";

export interface FrameDetector {
  detect(frame: Frame): Promise<{
    detections: Detection[];
    inferenceMs: number;
    provider?: string | undefined;
    regions?: readonly FrameRegion[] | undefined;
    /** Where faces were found when not in the frame itself (a sharper main-stream picture of the moment). */
    faceImage?: { readonly width: number; readonly height: number; readonly rgb: Uint8Array } | undefined;
  }>;
}

export interface CameraDetectionStats {
  analysed: number;
  skipped: number;
}

type Outcome =
  | { readonly ok: true; readonly result: Awaited<ReturnType<FrameDetector["detect"]>> }
  | { readonly ok: false; readonly error: unknown };

interface InFlight {
  readonly frame: Frame;
  outcome: Outcome | undefined;
}

/**
 * How many frames are with the detector at once. Two: while one runs, the next already waits in
 * the provider's worker (no hop between runs) and this thread decodes the one before. More would
 * only queue: the worker runs one at a time (docs/performance.md).
 */
export const DETECTION_DEPTH = 2;

/**
 * Feeds frames to the detector without ever building a queue: each camera has one slot holding
 * its newest frame, a frame that arrives while the slot is full replaces it (counted as skipped),
 * and cameras take turns so a busy one cannot starve the others. At most `depth` frames are with
 * the detector at once, and results go out in the order the frames went in, so a camera's
 * detections never arrive out of order. A slow detector therefore costs frame rate, never memory
 * or latency beyond one frame.
 */
export class DetectionScheduler implements Component {
  readonly name = "detection-scheduler";
  private readonly slots = new Map<string, Frame>();
  private readonly order: string[] = [];
  private readonly perCamera = new Map<string, CameraDetectionStats>();
  private readonly inFlight: InFlight[] = [];
  private readonly pending = new Set<Promise<void>>();
  private turn = 0;
  private settled = 0;
  private running = false;

  constructor(
    private readonly detector: FrameDetector,
    private readonly onResult: (result: DetectionResult) => void,
    private readonly log: Logger,
    private readonly depth = DETECTION_DEPTH,
  ) {}

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.slots.clear();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  stats(cameraId: string): CameraDetectionStats {
    return { ...(this.perCamera.get(cameraId) ?? { analysed: 0, skipped: 0 }) };
  }

  submit(frame: Frame): void {
    if (!this.running) return;
    const stats = this.statsFor(frame.cameraId);
    if (this.slots.has(frame.cameraId)) stats.skipped += 1;
    else if (!this.order.includes(frame.cameraId)) this.order.push(frame.cameraId);
    this.slots.set(frame.cameraId, frame);
    this.pump();
  }

  /** Detections finished, successful or not: the watchdog's sign that inference moves. */
  get completed(): number {
    return this.settled;
  }

  /** A frame is being analysed or waits for its turn. */
  get working(): boolean {
    return this.inFlight.length > 0 || this.slots.size > 0;
  }

  private statsFor(cameraId: string): CameraDetectionStats {
    let s = this.perCamera.get(cameraId);
    if (!s) {
      s = { analysed: 0, skipped: 0 };
      this.perCamera.set(cameraId, s);
    }
    return s;
  }

  private nextFrame(): Frame | undefined {
    for (let i = 0; i < this.order.length; i++) {
      const id = this.order[(this.turn + i) % this.order.length];
      if (id === undefined) continue;
      const frame = this.slots.get(id);
      if (frame) {
        this.slots.delete(id);
        this.turn = (this.turn + i + 1) % this.order.length;
        return frame;
      }
    }
    return undefined;
  }

  /** Sends frames to the detector until `depth` are with it or none wait. */
  private pump(): void {
    while (this.running && this.inFlight.length < this.depth) {
      const frame = this.nextFrame();
      if (!frame) return;
      const entry: InFlight = { frame, outcome: undefined };
      this.inFlight.push(entry);
      // Through a promise even if a detector throws synchronously: a failure is an outcome in order.
      const done = Promise.resolve(frame)
        .then((f) => this.detector.detect(f))
        .then(
          (result): Outcome => ({ ok: true, result }),
          (error: unknown): Outcome => ({ ok: false, error }),
        );
      const settled = done.then((outcome) => {
        entry.outcome = outcome;
        this.flush();
        this.pump();
      });
      this.pending.add(settled);
      void settled.finally(() => this.pending.delete(settled));
    }
  }

  /** Hands out finished results from the oldest on, stopping at the first still running. */
  private flush(): void {
    for (let head = this.inFlight[0]; head?.outcome; head = this.inFlight[0]) {
      this.inFlight.shift();
      this.settled += 1;
      const { frame, outcome } = head;
      if (!outcome.ok) {
        this.log.error({ err: outcome.error, camera: frame.cameraId }, "detection failed");
        continue;
      }
      this.statsFor(frame.cameraId).analysed += 1;
      const { detections, inferenceMs, provider, regions } = outcome.result;
      try {
        this.onResult({
          cameraId: frame.cameraId,
          frameIndex: frame.index,
          capturedAt: frame.capturedAt,
          detections,
          inferenceMs,
          provider,
          regions,
        });
      } catch (err) {
        this.log.error({ err, camera: frame.cameraId }, "a detections consumer failed");
      }
    }
  }
}
