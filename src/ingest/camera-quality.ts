/** How a camera's link is doing, for a tech deciding what to look at first. */
export type ConnectionQuality = "excellent" | "fair" | "poor" | "unusable";

export interface CameraCounters {
  /** Epoch ms of the sample. */
  readonly at: number;
  readonly decoded: number;
  readonly analysed: number;
  readonly skipped: number;
  /** Held back by motion gating (absent: no gate). */
  readonly motionGated?: number;
  /** Held back by load shedding (absent: no gate). */
  readonly shed?: number;
  readonly restarts: number;
  readonly stalls: number;
}

export interface CameraRates {
  readonly camera_fps: number;
  readonly process_fps: number;
  readonly skipped_fps: number;
  readonly motion_gated_fps: number;
  readonly shed_fps: number;
  readonly reconnects_last_hour: number;
  readonly stalls_last_hour: number;
}

const HOUR_MS = 3_600_000;
const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Rates over the last `windowMs` and event counts over the last hour from cumulative counter
 * samples (oldest first). Counters restart from zero when a camera is re-created; a negative
 * difference counts as zero. Pure.
 */
export function cameraRates(samples: readonly CameraCounters[], windowMs: number): CameraRates {
  const last = samples.at(-1);
  if (!last)
    return {
      camera_fps: 0,
      process_fps: 0,
      skipped_fps: 0,
      motion_gated_fps: 0,
      shed_fps: 0,
      reconnects_last_hour: 0,
      stalls_last_hour: 0,
    };
  const since = (ms: number): CameraCounters => samples.find((s) => s.at >= last.at - ms) ?? last;
  const w = since(windowMs);
  const seconds = (last.at - w.at) / 1000;
  const rate = (a: number, b: number): number => (seconds > 0 ? round2(Math.max(0, a - b) / seconds) : 0);
  const h = since(HOUR_MS);
  return {
    camera_fps: rate(last.decoded, w.decoded),
    process_fps: rate(last.analysed, w.analysed),
    skipped_fps: rate(last.skipped, w.skipped),
    motion_gated_fps: rate(last.motionGated ?? 0, w.motionGated ?? 0),
    shed_fps: rate(last.shed ?? 0, w.shed ?? 0),
    reconnects_last_hour: Math.max(0, last.restarts - h.restarts),
    stalls_last_hour: Math.max(0, last.stalls - h.stalls),
  };
}

/**
 * The link's quality from what it delivers against what was asked for (the detect fps) and how
 * often it broke in the last hour. Pure; thresholds chosen so one reconnect an hour is still fair.
 */
export function connectionQuality(i: {
  online: boolean;
  cameraFps: number;
  expectedFps: number;
  reconnectsLastHour: number;
  stallsLastHour: number;
}): ConnectionQuality {
  if (!i.online) return "unusable";
  const delivered = i.expectedFps > 0 ? i.cameraFps / i.expectedFps : 1;
  const breaks = i.reconnectsLastHour + i.stallsLastHour;
  if (delivered < 0.5 || breaks > 6) return "poor";
  if (delivered < 0.9 || breaks > 1) return "fair";
  return "excellent";
}
