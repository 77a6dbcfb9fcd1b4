import type { Detection, Frame, FrameRegion } from "../../contract/detection.js";
import { boxArea } from "../../core/geometry.js";
import type { Component } from "../../core/lifecycle.js";
import type { DetectorStats } from "../providers/model-runner.js";
import type { ProviderStatus } from "../providers/provider-chain.js";
import { cropToInput } from "./crop-image.js";
import {
  cutByRegionEdge,
  mergeRegionDetections,
  type RegionDetection,
  regionDetectionToFrame,
} from "./region-boxes.js";
import { type PixelRect, planRegions, type Region } from "./region-plan.js";
import { RegionStatsBook, type RegionStats } from "./region-stats.js";
import { interestBoxes, type TrackedBox } from "./interest-boxes.js";
import type { RegionSettings } from "./region-settings.js";

/** A model detector as regions use it: frames of its input size, boxes mapped to `frame.source`. */
export interface InputDetector extends Component {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly loaded: boolean;
  readonly stats: DetectorStats;
  readonly provider: string | undefined;
  providers(): ProviderStatus[];
  detect(frame: Frame): Promise<{ detections: Detection[]; inferenceMs: number; provider: string }>;
}

export interface RegionDetectorOptions {
  readonly settings: (cameraId: string) => RegionSettings;
  readonly iouThreshold: number;
  readonly maxDetections: number;
  /** Box area bounds as a share of the frame (the inner detector's apply to the region). */
  readonly minArea: number;
  readonly maxArea: number;
  /** How long an object not seen again still gets a region. */
  readonly trackHoldMs: number;
}

export interface RegionFrameDetection {
  readonly detections: Detection[];
  readonly inferenceMs: number;
  readonly provider: string;
  readonly regions: readonly FrameRegion[];
}

interface CameraRegionState {
  lastFullAt: number | undefined;
  tracked: TrackedBox[];
}

/**
 * Runs the detector on regions of a frame at working resolution (see region-plan.ts): plans the
 * regions from the frame's motion and the objects seen lately, cuts each to the model's input,
 * runs them together through the provider chain (the runner keeps its two frame slots busy), maps
 * the boxes back and merges what two regions both saw. The stats count regions, so load shedding
 * judges the detector by model runs, not frames.
 */
export class RegionDetector implements Component {
  readonly name = "region-detector";
  private readonly cameras = new Map<string, CameraRegionState>();
  private readonly book = new RegionStatsBook();
  private readonly buffers: Buffer[] = [];

  constructor(
    private readonly inner: InputDetector,
    private readonly options: RegionDetectorOptions,
  ) {}

  get loaded(): boolean {
    return this.inner.loaded;
  }

  /** Model runs: one per region. */
  get stats(): DetectorStats {
    return this.inner.stats;
  }

  get provider(): string | undefined {
    return this.inner.provider;
  }

  providers(): ProviderStatus[] {
    return this.inner.providers();
  }

  /** Per camera: frames, regions and full passes run, and the regions the cap refused. */
  regionStats(cameraId: string): RegionStats {
    return this.book.of(cameraId);
  }

  /** Mean detector time of an analysed frame (all its regions): what load shedding weighs. */
  get msPerFrame(): number | undefined {
    return this.book.msPerFrame;
  }

  async start(): Promise<void> {
    await this.inner.start();
  }

  async stop(): Promise<void> {
    await this.inner.stop();
  }

  /** Forgets a camera's tracked boxes, full-pass clock and counts (removed or restarted). */
  forget(cameraId: string): void {
    this.cameras.delete(cameraId);
    this.book.forget(cameraId);
  }

  async detect(frame: Frame): Promise<RegionFrameDetection> {
    const result = await this.detectWith(frame, this.stateOf(frame.cameraId), this.options.settings(frame.cameraId));
    this.book.record(frame.cameraId, result.regions, result.inferenceMs);
    return result;
  }

  /**
   * What the detector makes of one picture, as a camera's first two frames: the whole-frame pass,
   * then the crops it places around what that pass found. For the detection preview: its own
   * state, so a camera's tracking and counts are untouched.
   */
  async preview(frame: Frame, settings: RegionSettings): Promise<[RegionFrameDetection, RegionFrameDetection]> {
    const state: CameraRegionState = { lastFullAt: undefined, tracked: [] };
    const first = await this.detectWith({ ...frame, motion: undefined }, state, settings);
    const second = await this.detectWith(
      { ...frame, index: frame.index + 1, capturedAt: frame.capturedAt + 200, motion: { score: 0, regions: [] } },
      state,
      { ...settings, fullFrameFps: 0 },
    );
    return [first, second];
  }

  private async detectWith(
    frame: Frame,
    state: CameraRegionState,
    settings: RegionSettings,
  ): Promise<RegionFrameDetection> {
    const regions = this.plan(frame, state, settings);
    const buffers = regions.map(
      () => this.buffers.pop() ?? Buffer.alloc(this.inner.inputWidth * this.inner.inputHeight * 3),
    );
    try {
      const runs = await Promise.all(regions.map((r, i) => this.runRegion(frame, r, buffers[i] as Buffer)));
      const merged = mergeRegionDetections(
        runs.flatMap((r) => r.found),
        { iouThreshold: this.options.iouThreshold, maxDetections: this.options.maxDetections },
      ).filter((d) => boxArea(d.box) >= this.options.minArea && boxArea(d.box) <= this.options.maxArea);
      const inferenceMs = runs.reduce((s, r) => s + r.ms, 0);
      state.tracked = [
        ...merged.map((d) => ({ box: d.box, seenAt: frame.capturedAt })),
        ...state.tracked.filter((t) => frame.capturedAt - t.seenAt < this.options.trackHoldMs),
      ].slice(0, 64);
      const provider = runs.at(-1)?.provider ?? this.inner.provider ?? "none";
      return {
        detections: merged,
        inferenceMs,
        provider,
        regions: regions.map((r) => ({
          kind: r.kind,
          x: r.x / frame.width,
          y: r.y / frame.height,
          width: r.width / frame.width,
          height: r.height / frame.height,
        })),
      };
    } finally {
      this.buffers.push(...buffers);
    }
  }

  private plan(frame: Frame, state: CameraRegionState, s: RegionSettings): Region[] {
    const whole: Region = { kind: "full", x: 0, y: 0, width: frame.width, height: frame.height };
    if (!s.regions) return [whole];
    const due =
      state.lastFullAt === undefined ||
      frame.motion === undefined ||
      (s.fullFrameFps > 0 && frame.capturedAt - state.lastFullAt >= 1000 / s.fullFrameFps);
    const planned = planRegions({
      frameWidth: frame.width,
      frameHeight: frame.height,
      modelSize: Math.min(this.inner.inputWidth, this.inner.inputHeight),
      boxes: interestBoxes(
        frame,
        state.tracked.filter((t) => frame.capturedAt - t.seenAt < this.options.trackHoldMs),
      ),
      maxRegions: s.maxRegions,
      maxScale: s.maxScale,
      fullFrame: due,
    });
    if (planned.some((r) => r.kind === "full")) state.lastFullAt = frame.capturedAt;
    return planned;
  }

  private async runRegion(
    frame: Frame,
    r: PixelRect & { kind: Region["kind"] },
    buffer: Buffer,
  ): Promise<{ found: RegionDetection[]; ms: number; provider: string }> {
    const { inputWidth, inputHeight } = this.inner;
    const { rgb } = cropToInput(frame, r, inputWidth, inputHeight, buffer);
    const result = await this.inner.detect({
      cameraId: frame.cameraId,
      index: frame.index,
      capturedAt: frame.capturedAt,
      width: inputWidth,
      height: inputHeight,
      rgb,
      source: { width: r.width, height: r.height },
    });
    const found = result.detections.map((d) => ({
      detection: regionDetectionToFrame(d, r, frame.width, frame.height),
      cut: r.kind === "crop" && cutByRegionEdge(d.box, r, frame.width, frame.height),
    }));
    return { found, ms: result.inferenceMs, provider: result.provider };
  }

  private stateOf(cameraId: string): CameraRegionState {
    let s = this.cameras.get(cameraId);
    if (!s) {
      s = { lastFullAt: undefined, tracked: [] };
      this.cameras.set(cameraId, s);
    }
    return s;
  }
}
