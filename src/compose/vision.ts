import { CameraFaultMonitor } from "../analytics/camera-fault-monitor.js";
import { FacePresenceRule } from "../analytics/face-presence-rule.js";
import { RuleEngine } from "../analytics/rule-engine.js";
import { ruleEngineSetup } from "../analytics/rule-engine-setup.js";
import type { SnapshotStore } from "../incidents/snapshot-store.js";
import type { VigilConfig } from "../config/schema.js";
import { secretsSearchPath } from "../config/secrets.js";
import type { VigilEvents } from "../contract/events.js";
import type { LatestFrames } from "../contract/latest-frames.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import {
  type InputDetector,
  RegionDetector,
  type RegionDetectorOptions,
} from "../inference/regions/region-detector.js";
import { regionSettingsOf } from "../inference/regions/region-settings.js";
import { workingSizeOf } from "../ingest/working-size.js";
import type { EventBus } from "../core/event-bus.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { IncidentService } from "../incidents/incident-service.js";
import { DetectionScheduler, type FrameDetector } from "../inference/detection-scheduler.js";
import type { ModelEntry } from "../inference/model-manifest.js";
import { FaceDetector } from "../inference/face-detector.js";
import { ObjectDetector } from "../inference/object-detector.js";
import type { ProviderChange } from "../inference/providers/provider-chain.js";
import { type ModelRunnerOptions, providerSpecs } from "../inference/providers/model-runner.js";
import { providerAlerts } from "../inference/providers/provider-alerts.js";
import { DEFAULT_PROVIDER_POLICY } from "../inference/providers/provider-health.js";
import { CameraManager } from "../ingest/camera-manager.js";
import type { RecordingOutput } from "../ingest/ffmpeg-args.js";
import { LoadShedder } from "../ingest/load-shedder.js";
import { MotionGate } from "../ingest/motion-gate.js";
import { PushIngest } from "../ingest/push-ingest.js";
import { SnapshotCache } from "../ingest/snapshot-cache.js";
import type { Outbox } from "../store/outbox.js";

/**
 * How long an object not seen again keeps its region: a person the model misses for a frame or
 * two (turned, half hidden) is still looked for where they were.
 */
const TRACK_HOLD_MS = 2000;

export interface VisionParts {
  readonly detector: RegionDetector;
  readonly scheduler: DetectionScheduler;
  readonly cameras: CameraManager;
  readonly push: PushIngest;
  /** Latest JPEG per camera (snapshot.jpg, incident snapshots). */
  readonly snapshots: SnapshotCache;
  /** Motion gating and shedding caps between the cameras and the scheduler. */
  readonly gate: MotionGate;
  readonly shedder: LoadShedder | undefined;
  /** Zone rules and the rest; zones and zone rules are replaced live (runtime cameras). */
  readonly rules: RuleEngine;
}

/** Detector, the scheduler that feeds it, the rules on its results, and the cameras. */
export function composeVision(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  deps: {
    model: ModelEntry;
    bus: EventBus<VigilEvents>;
    incidents: IncidentService;
    outbox: Outbox;
    env: NodeJS.ProcessEnv;
    log: Logger;
    /** Puts a stage after detection that still sees the frame (face recognition). */
    wrapDetector?: (detector: FrameDetector, snapshots: LatestFrames) => FrameDetector;
    snapshots?: SnapshotStore;
    /** Where each camera's ffmpeg records its ring (compose/clips.ts); absent: no recording. */
    recording?: (cameraId: string) => Promise<RecordingOutput | undefined>;
  },
): VisionParts {
  const { model, bus, log } = deps;
  const alerts = providerAlerts(
    (type, data) => deps.outbox.append("alerts", type, data),
    log.child({ component: "detector" }),
  );
  // Added before the detector so it stops after it: alerts raised while stopping still reach the outbox.
  lifecycle.add({ name: "provider-alerts", start: async () => {}, stop: () => alerts.drain() });
  // Reads the camera list live, so a camera added or changed at runtime plans with its settings.
  const detector = lifecycle.add(
    new RegionDetector(
      buildDetector(config, model, alerts.onChange, log),
      regionDetectorOptions(config, (id) => regionSettingsOf(cameras.cameras.find((c) => c.id === id))),
    ),
  );
  const rule = new FacePresenceRule(
    { minFrames: config.rules.face_presence.min_frames, clearFrames: config.rules.face_presence.clear_frames },
    deps.incidents,
    log.child({ component: "rules" }),
  );
  if (config.rules.face_presence.enabled) bus.on("detections", (result) => rule.handle(result));
  lifecycle.add({ name: "rules", start: async () => {}, stop: () => rule.drain() });
  // The latest main-stream JPEGs: snapshot.jpg, and the snapshots incidents keep.
  const snapshots = new SnapshotCache(2);
  // Zone rules, watchlist and unknown faces, tamper: subscribes to detections, faces and camera.event.
  const rules = lifecycle.add(
    new RuleEngine(ruleEngineSetup(config), {
      bus,
      incidents: deps.incidents,
      snapshots: deps.snapshots,
      frames: snapshots,
      log: log.child({ component: "rule-engine" }),
    }),
  );
  const scheduler = lifecycle.add(
    new DetectionScheduler(
      deps.wrapDetector ? deps.wrapDetector(detector, snapshots) : detector,
      (result) => bus.emit("detections", result),
      log.child({ component: "scheduler" }),
    ),
  );
  // Started before the cameras, so it hears each one's first state.
  lifecycle.add(
    new CameraFaultMonitor(
      bus,
      deps.outbox,
      deps.incidents,
      config.ingest.offline_alert_s * 1000,
      log.child({ component: "camera-faults" }),
    ),
  );
  // Reads the camera list live, so cameras changed by a reload gate with their new settings.
  const gate = new MotionGate(
    (id) => cameras.cameras.find((c) => c.id === id)?.motion,
    (frame) => scheduler.submit(frame),
  );
  const cameras = lifecycle.add(
    new CameraManager(
      {
        cameras: config.cameras,
        stallTimeoutMs: config.ingest.stall_timeout_s * 1000,
        startTimeoutMs: config.ingest.start_timeout_s * 1000,
        socketTimeoutS: config.ingest.socket_timeout_s,
        secretsDir: secretsSearchPath(config.secrets_dir, deps.env),
        onFrame: (frame) => gate.offer(frame),
        onStateChange: (cameraId, state) => bus.emit("camera.state", { cameraId, state, at: Date.now() }),
        onSnapshot: (cameraId, jpeg, capturedAt) => snapshots.put(cameraId, jpeg, capturedAt),
        ...(deps.recording ? { recording: deps.recording } : {}),
      },
      log.child({ component: "ingest" }),
    ),
  );
  const push = new PushIngest(
    (id) => workingSizeOf(cameras.cameras.find((c) => c.id === id)?.detect ?? {}),
    (frame) => gate.offer(frame),
    log.child({ component: "push-ingest" }),
    snapshots,
  );
  const shedding = config.ingest.shedding;
  const shedder = shedding.enabled
    ? lifecycle.add(
        new LoadShedder({
          cameras: () => cameras.cameras.filter((c) => c.enabled).map((c) => ({ id: c.id, fps: c.detect.fps })),
          detection: (id) => scheduler.stats(id),
          gate,
          // Per analysed frame, all its regions: the shedder weighs model runs, not frames.
          detectorMeanMs: () => detector.msPerFrame,
          intervalMs: shedding.interval_s * 1000,
          policy: { minFps: shedding.min_fps },
          log: log.child({ component: "load-shedder" }),
        }),
      )
    : undefined;
  return { detector, scheduler, cameras, push, snapshots, gate, shedder, rules };
}

/** The region detector's options from the config's detector section (the daemon and `vigil detect`). */
export function regionDetectorOptions(
  config: Readonly<VigilConfig>,
  settings: RegionDetectorOptions["settings"],
): RegionDetectorOptions {
  const d = config.detector;
  return {
    settings,
    iouThreshold: d.iou_threshold,
    maxDetections: d.max_detections,
    minArea: d.min_area,
    maxArea: d.max_area,
    trackHoldMs: TRACK_HOLD_MS,
  };
}

/**
 * FaceDetector for face-detection models, ObjectDetector for object-detection ones, both behind
 * the provider chain. They see one region at a time, so the area bounds (a share of the frame)
 * are applied by the region detector instead.
 */
export function buildDetector(
  config: Readonly<VigilConfig>,
  model: ModelEntry,
  onProviderChange: (change: ProviderChange) => void,
  log: Logger,
): InputDetector {
  const d = config.detector;
  const detectorLog = log.child({ component: "detector" });
  const runner: ModelRunnerOptions = {
    modelsDir: config.models_dir,
    model,
    providers: providerSpecs(d.providers, d.threads),
    deadlineMs: d.deadline_ms,
    policy: { ...DEFAULT_PROVIDER_POLICY, coolDownMs: d.cooldown_s * 1000 },
    onProviderChange,
  };
  if (model.task === "face-detection")
    return new FaceDetector(
      { ...runner, scoreThreshold: d.score_threshold, iouThreshold: d.iou_threshold },
      detectorLog,
    );
  if (model.task === "object-detection") {
    return new ObjectDetector(
      {
        ...runner,
        track: d.labels,
        scoreThreshold: d.score_threshold,
        labelThresholds: d.label_thresholds,
        minArea: 0,
        maxArea: 1,
        iouThreshold: d.iou_threshold,
        maxDetections: d.max_detections,
      },
      detectorLog,
    );
  }
  throw new VigilError(
    ErrorCodes.CONFIG_INVALID,
    `detector.model: "${model.id}" is a ${model.task} model; the detector needs face-detection or object-detection`,
    { details: { path: "detector.model" } },
  );
}
