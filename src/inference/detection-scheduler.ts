import type { DetectionResult, Detection, Frame } from "../contract/detection.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";

export interface FrameDetector {
  detect(frame: Frame): Promise<{ detections: Detection[]; inferenceMs: number; provider?: string | undefined }>;
}

export interface CameraDetectionStats {
  analysed: number;
  skipped: number;
}

/**
 * Feeds frames to the detector without ever building a queue: each camera has one slot holding
 * its newest frame, a frame that arrives while the slot is full replaces it (counted as skipped),
 * and cameras take turns so a busy one cannot starve the others. A slow detector therefore costs
 * frame rate, never memory or latency.
 */
export class DetectionScheduler implements Component {
  readonly name = "detection-scheduler";
  private readonly slots = new Map<string, Frame>();
  private readonly order: string[] = [];
  private readonly perCamera = new Map<string, CameraDetectionStats>();
  private turn = 0;
  private busy = false;
  private settled = 0;
  private running = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly detector: FrameDetector,
    private readonly onResult: (result: DetectionResult) => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.slots.clear();
    await this.idle;
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
    if (!this.busy) this.idle = this.runLoop();
  }

  /** Detections finished, successful or not: the watchdog's sign that inference moves. */
  get completed(): number {
    return this.settled;
  }

  /** A frame is being analysed or waits for its turn. */
  get working(): boolean {
    return this.busy;
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

  private async runLoop(): Promise<void> {
    this.busy = true;
    try {
      for (let frame = this.nextFrame(); frame && this.running; frame = this.nextFrame()) {
        try {
          const { detections, inferenceMs, provider } = await this.detector.detect(frame);
          this.statsFor(frame.cameraId).analysed += 1;
          this.onResult({ cameraId: frame.cameraId, frameIndex: frame.index, capturedAt: frame.capturedAt, detections, inferenceMs, provider });
        } catch (err) {
          this.log.error({ err, camera: frame.cameraId }, "detection failed");
        } finally {
          this.settled += 1;
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
