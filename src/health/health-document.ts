import type { DetectorStats } from "../inference/face-detector.js";
import type { ProviderStatus } from "../inference/providers/provider-chain.js";
import type { CameraDetectionStats } from "../inference/detection-scheduler.js";
import type { CameraQualityStats } from "../ingest/camera-stats-tracker.js";
import type { CameraStats } from "../ingest/camera-supervisor.js";
import type { SheddingState } from "../ingest/load-shedder.js";
import type { GateStats } from "../ingest/motion-gate.js";
import type { RegionStats } from "../inference/regions/region-stats.js";
import type { UplinkState } from "../sync/mqtt-uplink.js";
import type { OutboxStats } from "../store/outbox.js";
import type { PublisherStats } from "../sync/outbox-publisher.js";
import type { MemoryReport } from "./memory-watch.js";
import type { Readiness } from "./readiness.js";
import type { SystemSample } from "./system-sample.js";

export type OverallStatus = "ok" | "degraded" | "failing";

export interface HealthInputs {
  readonly version: string;
  readonly uptimeS: number;
  readonly readiness: Readiness;
  readonly cameras: ReadonlyArray<{
    readonly id: string;
    readonly enabled: boolean;
    readonly stats: CameraStats;
    readonly detection: CameraDetectionStats;
    readonly quality?: CameraQualityStats | undefined;
    readonly gate?: GateStats | undefined;
    readonly regions?: RegionStats | undefined;
  }>;
  /** Load shedding: whether detection rates are lowered, and each camera's effective detect fps. */
  readonly ingest?: { readonly shedding: SheddingState } | undefined;
  /** `msPerFrame`: the detector's time per analysed frame, all its regions together. */
  readonly detector: {
    readonly model: string;
    readonly provider: string;
    readonly stats: DetectorStats;
    readonly msPerFrame?: number | undefined;
  };
  /** Each inference provider of the detector, in priority order, with its health. */
  readonly providers?: readonly ProviderStatus[] | undefined;
  readonly uplink: UplinkState | undefined;
  readonly publisher: Readonly<PublisherStats> | undefined;
  readonly outbox: OutboxStats;
  readonly auditHead: { readonly seq: number; readonly mac: string };
  /** Security conditions worth a tech's attention (a login flood, certificates about to expire). */
  readonly security?: readonly string[] | undefined;
  /** Certificates the box relies on, with their expiry (site CA, CRL, issued, configured). */
  readonly certificates?: readonly unknown[] | undefined;
  /** The last background sample of the box (CPU, memory, disk, temperatures, GPUs), if any yet. */
  readonly system?: SystemSample | undefined;
  /** Conditions of the box worth a reason (a nearly full data volume). */
  readonly systemReasons?: readonly string[] | undefined;
  /** The daemon's RSS, heap, external memory and RSS slope over the last hour (its reasons come in `systemReasons`). */
  readonly memory?: MemoryReport | undefined;
}

/** Share of the outbox budget past which the box is reported degraded (central is not keeping up). */
const OUTBOX_PRESSURE = 0.9;
const round2 = (n: number | undefined): number | null => (n === undefined ? null : Math.round(n * 100) / 100);

/**
 * Overall status from the parts: `failing` when the box cannot do its job at all (no store, no
 * model), `degraded` when part of it is impaired (a camera down, the uplink down, the outbox near
 * full or refusing), `ok` otherwise. Pure, so the rules are tested on their own.
 */
export function overallStatus(i: HealthInputs): { status: OverallStatus; reasons: string[] } {
  const failing = i.readiness.reasons.filter((r) => r.check === "store" || r.check === "model").map((r) => r.reason);
  if (failing.length > 0) return { status: "failing", reasons: failing };
  const reasons: string[] = [];
  for (const c of i.cameras)
    if (c.enabled && c.stats.state !== "online") reasons.push(`camera ${c.id} is ${c.stats.state}`);
  const shedding = i.ingest?.shedding;
  if (shedding?.active) reasons.push(shedding.reason ?? "detection rate lowered: the detector cannot keep up");
  if (i.uplink && !i.uplink.connected) reasons.push("uplink is not connected");
  for (const p of i.providers ?? [])
    if (p.state !== "healthy")
      reasons.push(`provider ${p.id} of ${p.model} is ${p.state}${p.last_error ? `: ${p.last_error}` : ""}`);
  if (i.outbox.refused > 0) reasons.push(`outbox refused ${i.outbox.refused} message(s)`);
  for (const s of i.security ?? []) reasons.push(s);
  for (const s of i.systemReasons ?? []) reasons.push(s);
  const shared = i.outbox.used_bytes - i.outbox.bytes.audit;
  if (shared > i.outbox.max_bytes * OUTBOX_PRESSURE)
    reasons.push(`outbox at ${Math.round((100 * shared) / i.outbox.max_bytes)}% of its budget`);
  if (i.outbox.audit_over_budget)
    reasons.push(
      `audit waiting for central is over its own budget (${i.outbox.bytes.audit} of ${i.outbox.audit_max_bytes ?? "?"} bytes)`,
    );
  return { status: reasons.length > 0 ? "degraded" : "ok", reasons };
}

/** The health document: `<base>/health`, `health.request`, and later `GET /v1/health`. */
export function healthDocument(i: HealthInputs): Record<string, unknown> {
  return {
    ...overallStatus(i),
    version: i.version,
    uptime_s: i.uptimeS,
    readiness: i.readiness,
    cameras: Object.fromEntries(
      i.cameras.map((c) => [
        c.id,
        {
          state: c.stats.state,
          frames_decoded: c.stats.framesDecoded,
          frames_analysed: c.detection.analysed,
          frames_skipped: c.detection.skipped,
          restarts: c.stats.restarts,
          stalls: c.stats.stalls,
          last_frame_at: c.stats.lastFrameAt ?? null,
          source: c.stats.source ?? null,
          working_size: c.stats.working ?? null,
          last_error: c.stats.lastError ?? null,
          last_error_kind: c.stats.lastErrorKind ?? null,
          frames_motion_gated: c.gate?.motionGated ?? 0,
          frames_shed: c.gate?.shed ?? 0,
          // Model runs on regions: crops around motion and tracked objects, whole-frame passes, and analysed frames that needed none.
          region_crops: c.regions?.crops ?? 0,
          full_frame_passes: c.regions?.fullPasses ?? 0,
          frames_without_regions: c.regions?.idleFrames ?? 0,
          snapshots: c.stats.snapshots ?? 0,
          effective_detect_fps: i.ingest?.shedding.cameras[c.id] ?? null,
          ...(c.quality ?? {}),
        },
      ]),
    ),
    ingest: { shedding: i.ingest?.shedding ?? { active: false, reason: null, cameras: {}, sheds: 0 } },
    detector: {
      model: i.detector.model,
      provider: i.detector.provider,
      runs: i.detector.stats.runs,
      last_ms: round2(i.detector.stats.lastMs),
      mean_ms: round2(i.detector.stats.meanMs),
      ms_per_frame: round2(i.detector.msPerFrame),
    },
    providers: i.providers ?? [],
    uplink: i.uplink
      ? {
          connected: i.uplink.connected,
          broker: i.uplink.broker ?? null,
          protocol_version: i.uplink.protocolVersion ?? null,
          connects: i.uplink.connects,
          brokers: i.uplink.brokers.map((b) => ({ url: b.url, state: b.state, last_error: b.lastError ?? null })),
        }
      : null,
    publisher: i.publisher
      ? {
          published: i.publisher.published,
          acknowledged: i.publisher.acknowledged,
          failed: i.publisher.failed,
          in_flight: i.publisher.inFlight,
        }
      : null,
    outbox: i.outbox,
    audit_head: i.auditHead,
    certificates: i.certificates ?? [],
    system: i.system ?? null,
    memory: i.memory ?? null,
  };
}
