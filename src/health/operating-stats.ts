import type { DetectorStats } from "../inference/face-detector.js";
import type { CameraDetectionStats } from "../inference/detection-scheduler.js";
import type { CameraStats } from "../ingest/camera-supervisor.js";
import type { UplinkState } from "../sync/mqtt-uplink.js";
import type { PublisherStats } from "../sync/outbox-publisher.js";

export interface OperatingSources {
  readonly cameras: { readonly supervisors: ReadonlyMap<string, { readonly stats: CameraStats }> };
  readonly scheduler: { stats(cameraId: string): CameraDetectionStats };
  readonly detector: { readonly stats: DetectorStats };
  readonly uplink: { readonly state: UplinkState } | undefined;
  readonly publisher: { readonly stats: Readonly<PublisherStats> } | undefined;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * Turns the components' cumulative counters into rates over the interval since the last call:
 * decoded, analysed and skipped frames per second per camera, plus detector time and memory.
 */
export function operatingStats(sources: OperatingSources): (elapsedS: number) => Record<string, unknown> {
  const previous = new Map<string, { decoded: number; analysed: number; skipped: number }>();
  return (elapsedS) => {
    const cameras: Record<string, unknown> = {};
    for (const [id, supervisor] of sources.cameras.supervisors) {
      const s = supervisor.stats;
      const d = sources.scheduler.stats(id);
      const before = previous.get(id) ?? { decoded: 0, analysed: 0, skipped: 0 };
      cameras[id] = {
        state: s.state,
        decoded_fps: round1((s.framesDecoded - before.decoded) / elapsedS),
        analysed_fps: round1((d.analysed - before.analysed) / elapsedS),
        skipped_fps: round1((d.skipped - before.skipped) / elapsedS),
        restarts: s.restarts,
        stalls: s.stalls,
      };
      previous.set(id, { decoded: s.framesDecoded, analysed: d.analysed, skipped: d.skipped });
    }
    const mean = sources.detector.stats.meanMs;
    return {
      cameras,
      detector_mean_ms: mean === undefined ? null : Math.round(mean * 100) / 100,
      uplink: sources.uplink?.state ?? null,
      publisher: sources.publisher?.stats ?? null,
      rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
  };
}
