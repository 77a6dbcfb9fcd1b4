import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { VigilEvents } from "../contract/events.js";
import type { EventBus } from "../core/event-bus.js";
import type { CameraDetectionStats } from "../inference/detection-scheduler.js";
import type { ProviderStatus } from "../inference/providers/provider-chain.js";
import type { CameraStats } from "../ingest/camera-supervisor.js";
import type { SheddingState } from "../ingest/load-shedder.js";
import type { GateStats } from "../ingest/motion-gate.js";
import type { OutboxStats } from "../store/outbox.js";
import type { OperatingSources } from "./operating-stats.js";

export interface MetricsSources extends Omit<OperatingSources, "detector"> {
  readonly outbox: { readonly stats: OutboxStats };
  readonly bus: EventBus<VigilEvents>;
  readonly model: string;
  /** Cumulative authentication refusals by kind (login, token, camera, rate_limited). */
  readonly authFailures?: () => Readonly<Record<string, number>>;
  /** Whether the detector's model is loaded on its provider. */
  readonly detectorLoaded?: () => boolean;
  /** Each inference provider with its health; without it, one `cpu` provider is assumed. */
  readonly providers?: () => readonly ProviderStatus[];
  /** Motion gating and shedding counts per camera. */
  readonly gate?: { stats(cameraId: string): GateStats };
  /** Load shedding's current caps. */
  readonly shedder?: { readonly state: SheddingState } | undefined;
}

const CAMERA_STATES = ["starting", "online", "stalled", "backoff", "offline", "disabled"] as const;
const PROVIDER_STATES = ["healthy", "degraded", "unhealthy"] as const;

/**
 * A counter whose value is read from a component's own cumulative count at scrape time: the
 * components keep counting whether or not anyone scrapes, and the registry never drifts from them.
 */
function mirroredCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: (set: (labels: Record<string, string>, value: number) => void) => void,
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      read((labels, value) => this.inc(labels, value));
    },
  });
}

/** The Prometheus registry for `GET /metrics`: camera, detector, outbox, uplink and process figures. */
export function createMetrics(s: MetricsSources): { registry: Registry; stop(): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const eachCamera = (f: (id: string, stats: CameraStats, det: CameraDetectionStats) => void): void => {
    for (const [id, sup] of s.cameras.supervisors) f(id, sup.stats, s.scheduler.stats(id));
  };
  mirroredCounter(
    registry,
    "vigil_camera_frames_decoded_total",
    "Frames decoded by the camera's ffmpeg",
    ["camera"],
    (set) => eachCamera((id, c) => set({ camera: id }, c.framesDecoded)),
  );
  mirroredCounter(
    registry,
    "vigil_camera_frames_analysed_total",
    "Frames run through the detector",
    ["camera"],
    (set) => eachCamera((id, _c, d) => set({ camera: id }, d.analysed)),
  );
  mirroredCounter(
    registry,
    "vigil_camera_frames_skipped_total",
    "Frames dropped because the detector was busy",
    ["camera"],
    (set) => eachCamera((id, _c, d) => set({ camera: id }, d.skipped)),
  );
  mirroredCounter(registry, "vigil_camera_restarts_total", "ffmpeg restarts", ["camera"], (set) =>
    eachCamera((id, c) => set({ camera: id }, c.restarts)),
  );
  mirroredCounter(registry, "vigil_camera_stalls_total", "Frame watchdog stalls", ["camera"], (set) =>
    eachCamera((id, c) => set({ camera: id }, c.stalls)),
  );
  const gate = s.gate;
  if (gate) {
    mirroredCounter(
      registry,
      "vigil_camera_frames_motion_gated_total",
      "Frames held back from the detector because nothing moved",
      ["camera"],
      (set) => eachCamera((id) => set({ camera: id }, gate.stats(id).motionGated)),
    );
    mirroredCounter(
      registry,
      "vigil_camera_frames_shed_total",
      "Frames held back from the detector by load shedding",
      ["camera"],
      (set) => eachCamera((id) => set({ camera: id }, gate.stats(id).shed)),
    );
  }
  const shedder = s.shedder;
  if (shedder) {
    new Gauge({
      name: "vigil_ingest_shedding_active",
      help: "1 while detection rates are lowered because the detector cannot keep up",
      registers: [registry],
      collect() {
        this.set(shedder.state.active ? 1 : 0);
      },
    });
    new Gauge({
      name: "vigil_camera_effective_detect_fps",
      help: "Detection rate a camera is allowed after load shedding (its detect fps when not shed)",
      labelNames: ["camera"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [camera, fps] of Object.entries(shedder.state.cameras)) this.set({ camera }, fps);
      },
    });
  }
  new Gauge({
    name: "vigil_camera_state",
    help: "1 for the camera's current state",
    labelNames: ["camera", "state"],
    registers: [registry],
    collect() {
      this.reset();
      eachCamera((id, c) =>
        CAMERA_STATES.forEach((state) => this.set({ camera: id, state }, c.state === state ? 1 : 0)),
      );
    },
  });
  const inference = new Histogram({
    name: "vigil_detector_inference_seconds",
    help: "Detector time per analysed frame",
    labelNames: ["provider", "model"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  new Gauge({
    name: "vigil_provider_up",
    help: "1 while the inference provider has the model loaded and is not unhealthy",
    labelNames: ["provider", "model"],
    registers: [registry],
    collect() {
      this.reset();
      if (!s.providers) return this.set({ provider: "cpu", model: s.model }, s.detectorLoaded?.() ? 1 : 0);
      for (const p of s.providers())
        this.set({ provider: p.id, model: p.model }, p.loaded && p.state !== "unhealthy" ? 1 : 0);
    },
  });
  new Gauge({
    name: "vigil_provider_state",
    help: "1 for the inference provider's current health state",
    labelNames: ["provider", "model", "state"],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of s.providers?.() ?? [])
        for (const state of PROVIDER_STATES)
          this.set({ provider: p.id, model: p.model, state }, p.state === state ? 1 : 0);
    },
  });
  mirroredCounter(
    registry,
    "vigil_provider_failures_total",
    "Inference failures per provider (errors, missed deadlines, failed loads)",
    ["provider", "model"],
    (set) => {
      for (const p of s.providers?.() ?? []) set({ provider: p.id, model: p.model }, p.failures);
    },
  );
  const incidents = new Counter({
    name: "vigil_incidents_total",
    help: "Incident writes by rule and event type",
    labelNames: ["rule", "type"],
    registers: [registry],
  });
  new Gauge({
    name: "vigil_outbox_bytes",
    help: "Bytes queued for central, per stream",
    labelNames: ["stream"],
    registers: [registry],
    collect() {
      for (const [stream, bytes] of Object.entries(s.outbox.stats.bytes)) this.set({ stream }, bytes);
    },
  });
  new Gauge({
    name: "vigil_outbox_depth",
    help: "Messages waiting for central, per stream",
    labelNames: ["stream"],
    registers: [registry],
    collect() {
      for (const [stream, depth] of Object.entries(s.outbox.stats.depth)) this.set({ stream }, depth);
    },
  });
  new Gauge({
    name: "vigil_outbox_oldest_age_seconds",
    help: "Age of the oldest message waiting for central, per stream (0 when none waits)",
    labelNames: ["stream"],
    registers: [registry],
    collect() {
      for (const [stream, age] of Object.entries(s.outbox.stats.oldest_age_s)) this.set({ stream }, age ?? 0);
    },
  });
  mirroredCounter(
    registry,
    "vigil_auth_failures_total",
    "Refused authentications: failed logins, refused tokens, refused camera requests, rate-limit hits (once per key and window)",
    ["kind"],
    (set) => {
      for (const [kind, n] of Object.entries(s.authFailures?.() ?? {})) set({ kind }, n);
    },
  );
  mirroredCounter(
    registry,
    "vigil_outbox_dropped_total",
    "Messages dropped or refused by the outbox policy or TTL",
    ["reason"],
    (set) => {
      const st = s.outbox.stats;
      set({ reason: "alert_shed" }, st.dropped_alerts);
      set({ reason: "expired" }, st.expired);
      set({ reason: "refused" }, st.refused);
    },
  );
  new Gauge({
    name: "vigil_mqtt_connected",
    help: "1 while the uplink is connected",
    registers: [registry],
    collect() {
      this.set(s.uplink?.state.connected ? 1 : 0);
    },
  });
  mirroredCounter(registry, "vigil_mqtt_connects_total", "Uplink connections made", [], (set) =>
    set({}, s.uplink?.state.connects ?? 0),
  );
  mirroredCounter(
    registry,
    "vigil_mqtt_publishes_total",
    "Outbox messages published, by outcome",
    ["outcome"],
    (set) => {
      const p = s.publisher?.stats;
      set({ outcome: "sent" }, p?.published ?? 0);
      set({ outcome: "acknowledged" }, p?.acknowledged ?? 0);
      set({ outcome: "failed" }, p?.failed ?? 0);
    },
  );
  const offDetections = s.bus.on("detections", (r) =>
    inference.observe({ provider: r.provider ?? "cpu", model: s.model }, r.inferenceMs / 1000),
  );
  const offIncidents = s.bus.on("incident.changed", ({ incident, type }) =>
    incidents.inc({ rule: incident.rule, type }),
  );
  return {
    registry,
    stop: () => {
      offDetections();
      offIncidents();
    },
  };
}
