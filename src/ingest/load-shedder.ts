import { PeriodicTask } from "../core/periodic-task.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { GateStats } from "./motion-gate.js";
import { DEFAULT_SHED_POLICY, planShedding, type ShedCamera, type ShedPolicy } from "./shedding-policy.js";

export interface SheddingState {
  readonly active: boolean;
  readonly reason: string | null;
  /** Effective detect fps of every camera (its configured fps when not shed). */
  readonly cameras: Readonly<Record<string, number>>;
  /** Windows in which caps were lowered, since start. */
  readonly sheds: number;
}

export interface LoadShedderDeps {
  /** Enabled cameras and their configured detect fps. */
  readonly cameras: () => ReadonlyArray<{ readonly id: string; readonly fps: number }>;
  /** The scheduler's cumulative counts (read only). */
  readonly detection: (cameraId: string) => { readonly analysed: number; readonly skipped: number };
  readonly gate: { stats(cameraId: string): GateStats; limit(cameraId: string, fps: number | undefined): void };
  readonly detectorMeanMs: () => number | undefined;
  readonly intervalMs: number;
  readonly policy?: Partial<ShedPolicy>;
  readonly log: Logger;
  readonly now?: () => number;
}

interface Counts {
  at: number;
  passed: number;
  analysed: number;
  skipped: number;
}

/**
 * Judges the detector's load every interval from the counters the gate and the scheduler keep,
 * and caps the busiest cameras' detection rate at the gate (see `planShedding`). Caps apply at
 * the gate rather than by restarting ffmpeg at a lower fps: a restart blanks the camera for the
 * seconds an RTSP setup and a key frame take, and decoding, the costly part, cannot be skipped
 * for H.264 anyway; what shedding saves is detector time.
 */
export class LoadShedder implements Component {
  readonly name = "load-shedder";
  private readonly beat: PeriodicTask;
  private readonly previous = new Map<string, Counts>();
  private readonly limits = new Map<string, number>();
  private current: SheddingState = { active: false, reason: null, cameras: {}, sheds: 0 };
  private readonly policy: ShedPolicy;

  constructor(private readonly deps: LoadShedderDeps) {
    this.policy = { ...DEFAULT_SHED_POLICY, ...deps.policy };
    this.beat = new PeriodicTask(deps.intervalMs, () => this.evaluate());
  }

  async start(): Promise<void> {
    await this.beat.start();
  }

  async stop(): Promise<void> {
    await this.beat.stop();
  }

  get state(): SheddingState {
    return this.current;
  }

  /** One judgement over the window since the last; public so tests drive it without waiting. */
  evaluate(): void {
    const now = (this.deps.now ?? Date.now)();
    const cameras = this.deps.cameras();
    const window: ShedCamera[] = [];
    for (const cam of cameras) {
      const det = this.deps.detection(cam.id);
      const counts: Counts = {
        at: now,
        passed: this.deps.gate.stats(cam.id).passed,
        analysed: det.analysed,
        skipped: det.skipped,
      };
      const before = this.previous.get(cam.id);
      this.previous.set(cam.id, counts);
      if (!before || now <= before.at) continue;
      const s = (now - before.at) / 1000;
      const rate = (a: number, b: number): number => Math.max(0, a - b) / s;
      window.push({
        id: cam.id,
        configuredFps: cam.fps,
        limitFps: this.limits.get(cam.id) ?? cam.fps,
        passedFps: rate(counts.passed, before.passed),
        analysedFps: rate(counts.analysed, before.analysed),
        skippedFps: rate(counts.skipped, before.skipped),
      });
    }
    const known = new Set(cameras.map((c) => c.id));
    for (const id of [...this.previous.keys()]) if (!known.has(id)) this.previous.delete(id);
    for (const id of [...this.limits.keys()]) if (!known.has(id)) this.limits.delete(id);
    const plan = planShedding(window, this.deps.detectorMeanMs(), this.policy);
    for (const cam of window) {
      const fps = plan.limits[cam.id] ?? cam.configuredFps;
      if (fps >= cam.configuredFps) this.limits.delete(cam.id);
      else this.limits.set(cam.id, fps);
      this.deps.gate.limit(cam.id, fps >= cam.configuredFps ? undefined : fps);
    }
    if (plan.action !== "hold")
      this.deps.log.warn(
        { action: plan.action, limits: plan.limits },
        plan.action === "shed"
          ? "detector overloaded: lowering detection rates"
          : "detector load fell: raising detection rates",
      );
    const active = this.limits.size > 0;
    this.current = {
      active,
      reason: active ? (plan.reason ?? null) : null,
      cameras: Object.fromEntries(cameras.map((c) => [c.id, this.limits.get(c.id) ?? c.fps])),
      sheds: this.current.sheds + (plan.action === "shed" ? 1 : 0),
    };
  }
}
