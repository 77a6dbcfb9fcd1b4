import { join } from "node:path";
import type { CameraConfig, VigilConfig } from "../config/schema.js";
import type { VigilEvents } from "../contract/events.js";
import type { EventBus } from "../core/event-bus.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { AuditRecorder } from "../contract/audit.js";
import { ClipRecorder } from "../incidents/clips/clip-recorder.js";
import { ClipRetention } from "../incidents/clips/clip-retention.js";
import { clipSettingsFor } from "../incidents/clips/clip-settings.js";
import { ClipStore } from "../incidents/clips/clip-store.js";
import { PendingClipFiles } from "../incidents/clips/pending-clips.js";
import type { IncidentService } from "../incidents/incident-service.js";
import { RecordingRing } from "../ingest/recording/recording-ring.js";

export interface ClipParts {
  readonly ring: RecordingRing;
  readonly recorder: ClipRecorder;
  readonly store: ClipStore;
}

/**
 * The recording ring and the clip recorder (docs/clips.md). Add it after the incidents and before
 * the cameras: the ring must be ready when the first ffmpeg asks where to record, and it stops
 * after the cameras. `cameras` reads the live camera list (runtime changes included).
 */
export function composeClips(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  deps: {
    bus: EventBus<VigilEvents>;
    incidents: IncidentService;
    audit: AuditRecorder;
    cameras: () => readonly CameraConfig[];
    /** Restarts the picked cameras' ffmpeg (the ring stopped or resumed). */
    relaunch: (which: (cameraId: string) => boolean, reason: string) => void;
    log: Logger;
  },
): ClipParts {
  const c = config.clips;
  const settings = (cameraId: string) => {
    const camera = deps.cameras().find((x) => x.id === cameraId);
    return camera && clipSettingsFor(camera, c);
  };
  const longestPreRollS = Math.max(c.pre_roll_s, ...config.cameras.map((x) => x.clips?.pre_roll_s ?? 0));
  const ring = lifecycle.add(
    new RecordingRing({
      root: join(config.data_dir, "recordings"),
      records: (id) => settings(id)?.enabled === true,
      segmentS: c.segment_s,
      bounds: { keepMs: (longestPreRollS + c.ring_margin_s) * 1000, maxBytes: c.ring_max_bytes },
      minFreeBytes: c.min_free_bytes,
      intervalMs: Math.max(1000, c.segment_s * 1000),
      onStoppedChange: (stopped) =>
        deps.relaunch(
          (id) => settings(id)?.enabled === true,
          stopped ? "disk low: recording stopped" : "disk space back: recording resumes",
        ),
      log: deps.log.child({ component: "recording-ring" }),
    }),
  );
  const store = new ClipStore(config.data_dir);
  const recorder = lifecycle.add(
    new ClipRecorder({
      bus: deps.bus,
      incidents: deps.incidents,
      ring,
      store,
      pending: new PendingClipFiles(config.data_dir),
      settings,
      settleMs: (c.segment_s * 2 + 1) * 1000,
      tickMs: 1000,
      // Segment names have one-second resolution; a hole wider than a segment is a real one.
      gapToleranceMs: (c.segment_s + 1.5) * 1000,
      log: deps.log.child({ component: "clips" }),
    }),
  );
  lifecycle.add(
    new ClipRetention({
      dataDir: config.data_dir,
      store,
      incidents: deps.incidents,
      audit: deps.audit,
      maxBytes: config.incidents.clips_max_bytes,
      intervalMs: config.incidents.retention_interval_s * 1000,
      log: deps.log.child({ component: "clip-retention" }),
    }),
  );
  return { ring, recorder, store };
}
