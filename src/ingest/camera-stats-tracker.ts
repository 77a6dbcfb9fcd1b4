import { PeriodicTask } from "../core/periodic-task.js";
import type { Component } from "../core/lifecycle.js";
import {
  type CameraCounters,
  type CameraRates,
  cameraRates,
  type ConnectionQuality,
  connectionQuality,
} from "./camera-quality.js";

export interface TrackedCamera {
  readonly id: string;
  readonly expectedFps: number;
  readonly online: boolean;
  readonly counters: Omit<CameraCounters, "at">;
}

export type CameraQualityStats = CameraRates & { readonly connection_quality: ConnectionQuality };

const HOUR_MS = 3_600_000;

/**
 * Samples every camera's cumulative counters on a timer and keeps an hour of them, so fps over
 * the last minute and reconnects and stalls in the last hour come from differences, never from
 * work on the frame path.
 */
export class CameraStatsTracker implements Component {
  readonly name = "camera-stats";
  private readonly samples = new Map<string, CameraCounters[]>();
  private readonly latest = new Map<string, TrackedCamera>();
  private readonly beat: PeriodicTask;

  constructor(
    private readonly cameras: () => readonly TrackedCamera[],
    private readonly options: { sampleMs: number; windowMs: number; now?: () => number } = {
      sampleMs: 5000,
      windowMs: 60_000,
    },
  ) {
    this.beat = new PeriodicTask(options.sampleMs, () => this.sample());
  }

  async start(): Promise<void> {
    await this.beat.start({ first: "now" });
  }

  async stop(): Promise<void> {
    await this.beat.stop();
  }

  sample(): void {
    const now = (this.options.now ?? Date.now)();
    const seen = new Set<string>();
    for (const cam of this.cameras()) {
      seen.add(cam.id);
      this.latest.set(cam.id, cam);
      const list = this.samples.get(cam.id) ?? [];
      list.push({ at: now, ...cam.counters });
      while (list.length > 1 && (list[0]?.at ?? now) < now - HOUR_MS - this.options.sampleMs) list.shift();
      this.samples.set(cam.id, list);
    }
    for (const id of [...this.samples.keys()]) {
      if (seen.has(id)) continue;
      this.samples.delete(id);
      this.latest.delete(id);
    }
  }

  statsFor(id: string): CameraQualityStats | undefined {
    const cam = this.latest.get(id);
    const list = this.samples.get(id);
    if (!cam || !list) return undefined;
    const rates = cameraRates(list, this.options.windowMs);
    return {
      ...rates,
      connection_quality: connectionQuality({
        online: cam.online,
        cameraFps: rates.camera_fps,
        expectedFps: cam.expectedFps,
        reconnectsLastHour: rates.reconnects_last_hour,
        stallsLastHour: rates.stalls_last_hour,
      }),
    };
  }
}
