import { FacePresenceRule } from "./analytics/face-presence-rule.js";
import type { VigilConfig } from "./config/schema.js";
import { secretsDirectory, type Secrets } from "./config/secrets.js";
import { gatewayTopics } from "./contract/topics.js";
import type { VigilEvents } from "./contract/events.js";
import { ErrorCodes, VigilError } from "./core/errors.js";
import { EventBus } from "./core/event-bus.js";
import { Lifecycle } from "./core/lifecycle.js";
import type { Logger } from "./core/logger.js";
import { VERSION } from "./core/version.js";
import { type Readiness, ReadinessRegistry } from "./health/readiness.js";
import { operatingStats } from "./health/operating-stats.js";
import { StatsReporter } from "./health/stats-reporter.js";
import { HttpServer } from "./http/server.js";
import { IncidentService } from "./incidents/incident-service.js";
import { DetectionScheduler } from "./inference/detection-scheduler.js";
import { FaceDetector } from "./inference/face-detector.js";
import { findModel, readManifest } from "./inference/model-manifest.js";
import { CameraManager } from "./ingest/camera-manager.js";
import { Database } from "./store/database.js";
import { GroupCommit } from "./store/group-commit.js";
import { EmbeddedBroker } from "./sync/embedded-broker.js";
import { MqttUplink } from "./sync/mqtt-uplink.js";
import { Outbox } from "./sync/outbox.js";
import { OutboxPublisher } from "./sync/outbox-publisher.js";

export interface Daemon {
  readonly lifecycle: Lifecycle;
  readonly http: HttpServer;
  readonly brokerUrls: readonly string[];
  readonly topics: ReturnType<typeof gatewayTopics>;
  readiness(): Readiness;
  stop(): Promise<void>;
}

/**
 * The composition root: the only place that knows every component. Constructors here do no I/O;
 * `lifecycle.start()` brings the parts up in dependency order and shutdown reverses it.
 */
export async function buildDaemon(config: Readonly<VigilConfig>, _secrets: Secrets, log: Logger, env: NodeJS.ProcessEnv): Promise<Daemon> {
  const manifest = await readManifest(config.models_dir);
  const model = findModel(manifest, config.detector.model);
  const [, modelH, modelW] = model.input.shape;
  config.cameras.forEach((camera, i) => {
    const { width, height } = camera.detect;
    if ((width !== undefined && width !== modelW) || (height !== undefined && height !== modelH)) {
      throw new VigilError(ErrorCodes.CONFIG_INVALID, `cameras[${i}].detect: ${width}x${height} does not match the detector input ${modelW}x${modelH} of model "${model.id}"`, {
        details: { path: `cameras[${i}].detect` },
      });
    }
  });

  const lifecycle = new Lifecycle(log.child({ component: "lifecycle" }));
  const bus = new EventBus<VigilEvents>((event, err) => log.error({ err, event }, "event listener failed"));
  const readiness = new ReadinessRegistry();
  const topics = gatewayTopics(config.mqtt.topic_prefix, config.site, config.gateway);

  const http = lifecycle.add(new HttpServer(config.http.listen, { readiness: () => readiness.evaluate(), version: VERSION, startedAt: Date.now() }, log.child({ component: "http" })));
  const database = lifecycle.add(new Database(config.data_dir, log.child({ component: "store" })));
  const commits = lifecycle.add(new GroupCommit(database));
  const outbox = lifecycle.add(new Outbox(database, commits, { site: config.site, gateway: config.gateway }));
  const detector = lifecycle.add(
    new FaceDetector(
      { modelsDir: config.models_dir, model, scoreThreshold: config.detector.score_threshold, iouThreshold: config.detector.iou_threshold, threads: config.detector.threads },
      log.child({ component: "detector" }),
    ),
  );

  const brokerUrls = [...config.mqtt.brokers];
  if (brokerUrls.length === 0 && config.mqtt.embedded.enabled) {
    const embedded = lifecycle.add(new EmbeddedBroker(config.mqtt.embedded.listen, log.child({ component: "embedded-broker" })));
    brokerUrls.push(embedded.url);
  }
  let uplink: MqttUplink | undefined;
  let publisher: OutboxPublisher | undefined;
  if (brokerUrls.length > 0) {
    uplink = lifecycle.add(
      new MqttUplink(
                {
          brokers: brokerUrls,
          clientId: config.mqtt.client_id,
          keepaliveS: config.mqtt.keepalive_s,
          sessionExpiryS: config.mqtt.session_expiry_s,
          failbackProbeMs: config.mqtt.failback_probe_s * 1000,
          tls: config.mqtt.tls,
          version: VERSION,
        },
        topics,
        log.child({ component: "uplink" }),
      ),
    );
    publisher = lifecycle.add(new OutboxPublisher(outbox, uplink, topics, config.mqtt.inflight_window, log.child({ component: "publisher" })));
  } else {
    log.warn("no MQTT broker configured: messages stay in the outbox until one is");
  }

  const incidents = new IncidentService(database, outbox, bus, log.child({ component: "incidents" }));
  const rule = new FacePresenceRule(
    { minFrames: config.rules.face_presence.min_frames, clearFrames: config.rules.face_presence.clear_frames },
    incidents,
    log.child({ component: "rules" }),
  );
  if (config.rules.face_presence.enabled) bus.on("detections", (result) => rule.handle(result));
  lifecycle.add({ name: "rules", start: async () => {}, stop: () => rule.drain() });
  const scheduler = lifecycle.add(new DetectionScheduler(detector, (result) => bus.emit("detections", result), log.child({ component: "scheduler" })));
  const cameras = lifecycle.add(
    new CameraManager(
      {
        cameras: config.cameras,
        width: modelW ?? 0,
        height: modelH ?? 0,
        stallTimeoutMs: config.ingest.stall_timeout_s * 1000,
        startTimeoutMs: config.ingest.start_timeout_s * 1000,
        socketTimeoutS: config.ingest.socket_timeout_s,
        secretsDir: secretsDirectory(config.secrets_dir, env),
        onFrame: (frame) => scheduler.submit(frame),
        onStateChange: (cameraId, state) => bus.emit("camera.state", { cameraId, state, at: Date.now() }),
      },
      log.child({ component: "ingest" }),
    ),
  );

  lifecycle.add(
    new StatsReporter(
      config.log.stats_interval_s * 1000,
      operatingStats({ cameras, scheduler, detector, uplink, publisher }),
      log.child({ component: "stats" }),
    ),
  );

  readiness.add("store", () => (database.isOpen ? undefined : "store is not open"));
  readiness.add("model", () => (detector.loaded ? undefined : `model ${model.id} is not loaded`));
  readiness.add("cameras", () => {
    const waiting = cameras.notYetStarted();
    return waiting.length === 0 ? undefined : `cameras not started yet: ${waiting.join(", ")}`;
  });

  return { lifecycle, http, brokerUrls, topics, readiness: () => readiness.evaluate(), stop: () => lifecycle.stop() };
}
