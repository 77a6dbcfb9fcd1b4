import type { MotionConfig } from "../config/schema.js";
import type { Frame } from "../contract/detection.js";
import { gateDecision } from "./gate-decision.js";
import { blendBackground, greyGrid, measureMotion } from "./motion.js";

export interface GateStats {
  /** Frames the camera delivered to the gate. */
  offered: number;
  /** Frames sent on to the detector. */
  passed: number;
  /** Held back because nothing moved. */
  motionGated: number;
  /** Held back by load shedding. */
  shed: number;
}

/**
 * How fast the background follows the scene, per frame: at 5 fps a change is half absorbed after
 * ~3 s, so a person who stops is seen for a few seconds, then only at the idle rate.
 */
const BACKGROUND_ALPHA = 0.05;

/** The motion schema's defaults, for cameras without a motion block (measured, not gated). */
const UNGATED_MOTION = { threshold: 20, min_area: 0.002 } as const;

interface CameraGateState {
  background: Float32Array | undefined;
  lastPassedAt: number | undefined;
  /** The newest frame, for the detection preview (one frame a camera, replaced by the next). */
  latest: Frame | undefined;
  readonly stats: GateStats;
}

/**
 * Sits between the cameras and the detection scheduler: measures motion on each frame, attaches
 * the regions (the detector looks there), and forwards only the frames the gate decision lets
 * through (motion gating applies when the camera has it on). Load shedding caps a camera's rate here, without restarting its ffmpeg.
 */
export class MotionGate {
  private readonly cameras = new Map<string, CameraGateState>();
  private readonly limits = new Map<string, number>();

  constructor(
    private readonly motionOf: (cameraId: string) => MotionConfig | undefined,
    private readonly forward: (frame: Frame) => void,
  ) {}

  offer(frame: Frame): void {
    const state = this.stateOf(frame.cameraId);
    state.stats.offered += 1;
    const motion = this.motionOf(frame.cameraId);
    // Measured on every frame, gated or not: the detector places its regions where things move.
    const params = motion ?? UNGATED_MOTION;
    const grid = greyGrid(frame.rgb, frame.width, frame.height);
    const m = measureMotion(state.background, grid, { threshold: params.threshold, minArea: params.min_area });
    state.background = blendBackground(state.background, grid, BACKGROUND_ALPHA);
    const moving = m.moving;
    const out: Frame = { ...frame, motion: { score: m.score, regions: m.regions } };
    state.latest = out;
    const outcome = gateDecision({
      now: frame.capturedAt,
      lastPassedAt: state.lastPassedAt,
      motionEnabled: motion?.enabled ?? false,
      moving,
      idleFps: motion?.idle_fps ?? 0,
      limitFps: this.limits.get(frame.cameraId),
    });
    if (outcome === "skip_no_motion") state.stats.motionGated += 1;
    else if (outcome === "skip_shed") state.stats.shed += 1;
    else {
      state.stats.passed += 1;
      state.lastPassedAt = frame.capturedAt;
      this.forward(out);
    }
  }

  /** Caps a camera's detection rate (load shedding); undefined lifts the cap. */
  limit(cameraId: string, fps: number | undefined): void {
    if (fps === undefined) this.limits.delete(cameraId);
    else this.limits.set(cameraId, fps);
  }

  limitOf(cameraId: string): number | undefined {
    return this.limits.get(cameraId);
  }

  stats(cameraId: string): GateStats {
    return { ...(this.cameras.get(cameraId)?.stats ?? { offered: 0, passed: 0, motionGated: 0, shed: 0 }) };
  }

  /** The camera's newest frame at its working resolution, with its motion; none before the first. */
  latest(cameraId: string): Frame | undefined {
    return this.cameras.get(cameraId)?.latest;
  }

  /** A removed or restarted camera starts over with a fresh background. */
  forget(cameraId: string): void {
    this.cameras.delete(cameraId);
    this.limits.delete(cameraId);
  }

  private stateOf(cameraId: string): CameraGateState {
    let s = this.cameras.get(cameraId);
    if (!s) {
      s = {
        background: undefined,
        lastPassedAt: undefined,
        latest: undefined,
        stats: { offered: 0, passed: 0, motionGated: 0, shed: 0 },
      };
      this.cameras.set(cameraId, s);
    }
    return s;
  }
}
