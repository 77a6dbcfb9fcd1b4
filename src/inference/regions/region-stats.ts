import type { Region } from "./region-plan.js";

/** One camera's region counts since start. */
export interface RegionStats {
  /** Frames analysed. */
  frames: number;
  /** Model runs on crops. */
  crops: number;
  /** Whole-frame passes. */
  fullPasses: number;
  /** Frames that needed no model run (nothing moving, tracked or due). */
  idleFrames: number;
}

/** How fast the per-frame cost follows a change of scene: about the last 20 frames weigh most. */
const COST_ALPHA = 0.05;

/** Region counts per camera, and the detector's running cost per analysed frame. */
export class RegionStatsBook {
  private readonly cameras = new Map<string, RegionStats>();
  private cost: number | undefined;

  of(cameraId: string): RegionStats {
    return { ...(this.cameras.get(cameraId) ?? { frames: 0, crops: 0, fullPasses: 0, idleFrames: 0 }) };
  }

  get msPerFrame(): number | undefined {
    return this.cost;
  }

  record(cameraId: string, regions: readonly { readonly kind: Region["kind"] }[], ms: number): void {
    let s = this.cameras.get(cameraId);
    if (!s) {
      s = { frames: 0, crops: 0, fullPasses: 0, idleFrames: 0 };
      this.cameras.set(cameraId, s);
    }
    s.frames += 1;
    for (const r of regions) {
      if (r.kind === "full") s.fullPasses += 1;
      else s.crops += 1;
    }
    if (regions.length === 0) s.idleFrames += 1;
    this.cost = this.cost === undefined ? ms : this.cost + COST_ALPHA * (ms - this.cost);
  }

  forget(cameraId: string): void {
    this.cameras.delete(cameraId);
  }
}
