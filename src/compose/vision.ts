import { CameraFaultMonitor } from "../analytics/camera-fault-monitor.js";
import { FacePresenceRule } from "../analytics/face-presence-rule.js";
import { RuleEngine } from "../analytics/rule-engine.js";
import { ruleEngineSetup } from "../analytics/rule-engine-setup.js";
import type { LatestFrames } from "../contract/latest-frames.js";
import type { SnapshotStore } from "../incidents/snapshot-store.js";
import type { VigilConfig } from "../config/schema.js";
import { secretsSearchPath } from "../config/secrets.js";
import type { VigilEvents } from "../contract/events.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { EventBus } from "../core/event-bus.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { IncidentService } from "../incidents/incident-service.js";
import { DetectionScheduler } from "../inference/detection-scheduler.js";
import { FaceDetector } from "../inference/face-detector.js";
import type { ModelEntry } from "../inference/model-manifest.js";
import { CameraManager } from "../ingest/camera-manager.js";
import { PushIngest } from "../ingest/push-ingest.js";
import type { Outbox } from "../sync/outbox.js";

export interface VisionParts {
  readonly detector: FaceDetector;
  readonly scheduler: DetectionScheduler;
  readonly cameras: CameraManager;
  readonly push: PushIngest;
}

/** The detector's input size, after checking every camera's detect size agrees with it. */
export function detectorInput(config: Readonly<VigilConfig>, model: ModelEntry): { width: number; height: number } {
  const [, height = 0, width = 0] = model.input.shape;
  config.cameras.forEach((camera, i) => {
    const d = camera.detect;
    if ((d.width !== undefined && d.width !== width) || (d.height !== undefined && d.height !== height)) {
      throw new VigilError(ErrorCodes.CONFIG_INVALID, `cameras[${i}].detect: ${d.width}x${d.height} does not match the detector input ${width}x${height} of model "${model.id}"`, {
        details: { path: `cameras[${i}].detect` },
      });
    }
  });
  return { width, height };
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
    snapshots?: SnapshotStore;
    /** The cameras' latest JPEGs for incident snapshots; none yet: incidents are raised without. */
    frames?: LatestFrames;
  },
): VisionParts {
  const { model, bus, log } = deps;
  const input = detectorInput(config, model);
  const detector = lifecycle.add(
    new FaceDetector(
      { modelsDir: config.models_dir, model, scoreThreshold: config.detector.score_threshold, iouThreshold: config.detector.iou_threshold, threads: config.detector.threads },
      log.child({ component: "detector" }),
    ),
  );
  const rule = new FacePresenceRule(
    { minFrames: config.rules.face_presence.min_frames, clearFrames: config.rules.face_presence.clear_frames },
    deps.incidents,
    log.child({ component: "rules" }),
  );
  if (config.rules.face_presence.enabled) bus.on("detections", (result) => rule.handle(result));
  lifecycle.add({ name: "rules", start: async () => {}, stop: () => rule.drain() });
  // Zone rules, watchlist and unknown faces, tamper: subscribes to detections, faces and camera.event.
  lifecycle.add(new RuleEngine(ruleEngineSetup(config), { bus, incidents: deps.incidents, snapshots: deps.snapshots, frames: deps.frames, log: log.child({ component: "rule-engine" }) }));
  const scheduler = lifecycle.add(new DetectionScheduler(detector, (result) => bus.emit("detections", result), log.child({ component: "scheduler" })));
  // Started before the cameras, so it hears each one's first state.
  lifecycle.add(new CameraFaultMonitor(bus, deps.outbox, deps.incidents, config.ingest.offline_alert_s * 1000, log.child({ component: "camera-faults" })));
  const cameras = lifecycle.add(
    new CameraManager(
      {
        cameras: config.cameras,
        ...input,
        stallTimeoutMs: config.ingest.stall_timeout_s * 1000,
        startTimeoutMs: config.ingest.start_timeout_s * 1000,
        socketTimeoutS: config.ingest.socket_timeout_s,
        secretsDir: secretsSearchPath(config.secrets_dir, deps.env),
        onFrame: (frame) => scheduler.submit(frame),
        onStateChange: (cameraId, state) => bus.emit("camera.state", { cameraId, state, at: Date.now() }),
      },
      log.child({ component: "ingest" }),
    ),
  );
  const push = new PushIngest(input, (frame) => scheduler.submit(frame), log.child({ component: "push-ingest" }));
  return { detector, scheduler, cameras, push };
}
