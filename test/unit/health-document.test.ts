import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { healthDocument, type HealthInputs, overallStatus } from "../../src/health/health-document.js";

function inputs(over: Partial<HealthInputs> = {}): HealthInputs {
  return {
    version: "1.0.0",
    uptimeS: 120,
    readiness: { ready: true, reasons: [] },
    cameras: [
      {
        id: "lobby",
        enabled: true,
        stats: {
          state: "online",
          framesDecoded: 600,
          restarts: 0,
          stalls: 0,
          lastFrameAt: "2026-11-22T12:00:00.000Z",
          source: { width: 640, height: 480 },
          working: { width: 640, height: 480 },
          lastError: undefined,
        },
        regions: { frames: 590, crops: 700, fullPasses: 118, idleFrames: 3 },
        detection: { analysed: 590, skipped: 10 },
      },
    ],
    detector: { model: "blazeface-back-256", provider: "cpu", stats: { runs: 590, lastMs: 7.123, meanMs: 6.987 } },
    uplink: {
      connected: true,
      broker: "mqtts://central:8883",
      protocolVersion: 5,
      connects: 1,
      brokers: [{ url: "mqtts://central:8883", state: "healthy", lastError: undefined }],
    },
    publisher: { published: 10, acknowledged: 10, failed: 0, inFlight: 0 },
    outbox: {
      policy: "shed-alerts-then-refuse-incidents",
      max_bytes: 1000,
      used_bytes: 100,
      audit_max_bytes: null,
      audit_over_budget: false,
      bytes: { incidents: 100, audit: 0, alerts: 0 },
      depth: { incidents: 1, audit: 0, alerts: 0 },
      oldest_age_s: { incidents: 12, audit: null, alerts: null },
      dropped_alerts: 0,
      expired: 0,
      refused: 0,
    },
    auditHead: { seq: 3, mac: "ab" },
    ...over,
  };
}

void describe("health document", () => {
  void it("is ok when every part works, with snake_case fields for central", () => {
    const doc = healthDocument(inputs());
    assert.equal(doc.status, "ok");
    assert.deepEqual(doc.reasons, []);
    assert.deepEqual((doc.cameras as Record<string, unknown>).lobby, {
      state: "online",
      frames_decoded: 600,
      frames_analysed: 590,
      frames_skipped: 10,
      restarts: 0,
      stalls: 0,
      last_frame_at: "2026-11-22T12:00:00.000Z",
      source: { width: 640, height: 480 },
      working_size: { width: 640, height: 480 },
      last_error: null,
      last_error_kind: null,
      frames_motion_gated: 0,
      frames_shed: 0,
      region_crops: 700,
      full_frame_passes: 118,
      frames_without_regions: 3,
      snapshots: 0,
      effective_detect_fps: null,
    });
    assert.deepEqual(doc.ingest, { shedding: { active: false, reason: null, cameras: {}, sheds: 0 } });
    assert.deepEqual(doc.detector, {
      model: "blazeface-back-256",
      provider: "cpu",
      runs: 590,
      last_ms: 7.12,
      mean_ms: 6.99,
      ms_per_frame: null,
    });
  });

  void it("lists each inference provider and is degraded, naming the error, while one is not healthy", () => {
    const provider = (id: string, state: "healthy" | "degraded" | "unhealthy", lastError: string | null) => ({
      id,
      backend: id,
      model: "nanodet-g-416",
      state,
      loaded: state !== "unhealthy",
      runs: 10,
      failures: lastError ? 5 : 0,
      failures_in_window: lastError ? 5 : 0,
      consecutive_failures: lastError ? 5 : 0,
      ewma_ms: 25.5,
      last_ms: 24,
      load_ms: 150,
      warmup_ms: 60,
      last_error: lastError,
      last_error_at: null,
      down_until: null,
    });
    const providers = [
      provider("cuda", "unhealthy", "Failed to load shared library"),
      provider("cpu", "healthy", null),
    ];
    const doc = healthDocument(inputs({ providers }));
    assert.equal(doc.status, "degraded");
    assert.deepEqual(doc.reasons, ["provider cuda of nanodet-g-416 is unhealthy: Failed to load shared library"]);
    assert.deepEqual(doc.providers, providers);
    assert.equal(healthDocument(inputs({ providers: [provider("cpu", "healthy", null)] })).status, "ok");
  });

  void it("is degraded, with each reason, when a camera, the uplink or the outbox is impaired", () => {
    const base = inputs();
    const camera = base.cameras[0];
    assert.ok(camera);
    const r = overallStatus(
      inputs({
        cameras: [
          { ...camera, stats: { ...camera.stats, state: "backoff" } },
          { ...camera, id: "off", enabled: false, stats: { ...camera.stats, state: "disabled" } },
        ],
        uplink: { ...(base.uplink as NonNullable<HealthInputs["uplink"]>), connected: false },
        outbox: { ...base.outbox, used_bytes: 950, refused: 2 },
      }),
    );
    assert.equal(r.status, "degraded");
    assert.deepEqual(r.reasons, [
      "camera lobby is backoff",
      "uplink is not connected",
      "outbox refused 2 message(s)",
      "outbox at 95% of its budget",
    ]);
  });

  void it("is failing when the store or the model is not there, whatever else works", () => {
    const r = overallStatus(
      inputs({
        readiness: {
          ready: false,
          reasons: [
            { check: "model", reason: "model m is not loaded" },
            { check: "cameras", reason: "x" },
          ],
        },
      }),
    );
    assert.deepEqual(r, { status: "failing", reasons: ["model m is not loaded"] });
    assert.equal(
      overallStatus(inputs({ uplink: undefined, publisher: undefined })).status,
      "ok",
      "no broker configured is not a fault",
    );
  });

  void it("says when detection is shed: degraded with the reason, and each camera's effective fps", () => {
    const shedding = {
      active: true,
      reason: "detector cannot keep up with every camera at its detect fps: detection rate lowered on 1 camera(s)",
      cameras: { lobby: 2.5 },
      sheds: 3,
    };
    const base = inputs();
    const cam = base.cameras[0];
    assert.ok(cam);
    const doc = healthDocument({
      ...base,
      cameras: [{ ...cam, gate: { offered: 100, passed: 40, motionGated: 50, shed: 10 } }],
      ingest: { shedding },
    });
    assert.equal(doc.status, "degraded");
    assert.deepEqual(doc.reasons, [shedding.reason]);
    assert.deepEqual(doc.ingest, { shedding });
    const lobby = (doc.cameras as Record<string, Record<string, unknown>>).lobby;
    assert.equal(lobby?.effective_detect_fps, 2.5);
    assert.equal(lobby?.frames_motion_gated, 50);
    assert.equal(lobby?.frames_shed, 10);
    assert.equal(
      healthDocument({ ...base, ingest: { shedding: { ...shedding, active: false, reason: null } } }).status,
      "ok",
    );
  });
});
