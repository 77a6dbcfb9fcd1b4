import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VigilEvents } from "../../src/contract/events.js";
import { EventBus } from "../../src/core/event-bus.js";
import { createLogger } from "../../src/core/logger.js";
import { ClipRecorder } from "../../src/incidents/clips/clip-recorder.js";
import type { CameraClipSettings } from "../../src/incidents/clips/clip-settings.js";
import { ClipStore } from "../../src/incidents/clips/clip-store.js";
import { PendingClipFiles } from "../../src/incidents/clips/pending-clips.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { RecordingRing } from "../../src/ingest/recording/recording-ring.js";
import type { RingBounds } from "../../src/ingest/recording/segments.js";
import { type AuthStack, openAuthStack } from "./auth-stack.js";
import { camera, type IngestRig, ingestRig } from "./ingest-rig.js";
import { silentLogger } from "./uplink-stack.js";

export interface ClipRig {
  readonly dir: string;
  readonly stack: AuthStack;
  readonly incidents: IncidentService;
  readonly ring: RecordingRing;
  readonly recorder: ClipRecorder;
  readonly store: ClipStore;
  readonly cameras: IngestRig;
  close(): Promise<void>;
}

export const SEGMENT_S = 1;

/**
 * The clip path for real: RTSP cameras through real ffmpeg recording their ring on disk, a real
 * store with incidents, the recorder assembling clips with ffmpeg. Only the daemon around it is left out.
 */
export async function openClipRig(o: {
  urls: Record<string, string>;
  settings?: Partial<CameraClipSettings>;
  bounds?: Partial<RingBounds>;
  minFreeBytes?: number;
  dir?: string;
  dataDir?: string;
  tickMs?: number;
}): Promise<ClipRig> {
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), "vigil-clips-")));
  const dataDir = o.dataDir ?? dir;
  const stack = await openAuthStack(dir);
  const bus = new EventBus<VigilEvents>(() => {});
  const incidents = new IncidentService(stack.store.db, stack.store.outbox, bus, silentLogger(), stack.audit, {
    minConfidence: 0.5,
  });
  const settings: CameraClipSettings = {
    enabled: true,
    preRollMs: 2000,
    postRollMs: 2000,
    maxClipMs: 60_000,
    ...o.settings,
  };
  // Built before the cameras it restarts; bound once they exist.
  let relaunch: (stopped: boolean) => void = () => {};
  const ring = new RecordingRing({
    onStoppedChange: (stopped) => relaunch(stopped),
    root: join(dataDir, "recordings"),
    records: (id) => id in o.urls,
    segmentS: SEGMENT_S,
    bounds: { keepMs: 8000, maxBytes: 64 * 1024 * 1024, ...o.bounds },
    minFreeBytes: o.minFreeBytes ?? 0,
    intervalMs: 500,
    log: silentLogger(),
  });
  const store = new ClipStore(dataDir);
  const recorder = new ClipRecorder({
    bus,
    incidents,
    ring,
    store,
    pending: new PendingClipFiles(dataDir),
    settings: (id) => (id in o.urls ? settings : undefined),
    settleMs: (SEGMENT_S * 2 + 1) * 1000,
    tickMs: o.tickMs ?? 500,
    gapToleranceMs: (SEGMENT_S + 1.5) * 1000,
    // VIGIL_TEST_LOG=debug shows what the recorder did (a failing run's first question).
    log: process.env.VIGIL_TEST_LOG
      ? createLogger({ level: process.env.VIGIL_TEST_LOG, destination: process.stderr })
      : silentLogger(),
  });
  const cameras = ingestRig({
    cameras: Object.entries(o.urls).map(([id, url]) =>
      camera({ id, url, detect: { fps: 2 }, snapshot: { enabled: false } }),
    ),
    recording: (id) => ring.output(id),
  });
  relaunch = (stopped) => cameras.manager.relaunch((id) => id in o.urls, stopped ? "disk low" : "disk back");
  await ring.start();
  await recorder.start();
  await cameras.manager.start();
  return {
    dir,
    stack,
    incidents,
    ring,
    recorder,
    store,
    cameras,
    close: async () => {
      await cameras.stop();
      await recorder.stop();
      await ring.stop();
      await stack.close();
      if (!o.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
