import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type CameraCounters, cameraRates, connectionQuality } from "../../src/ingest/camera-quality.js";
import { CameraStatsTracker } from "../../src/ingest/camera-stats-tracker.js";

const s = (
  at: number,
  decoded: number,
  analysed: number,
  skipped: number,
  restarts = 0,
  stalls = 0,
): CameraCounters => ({ at, decoded, analysed, skipped, restarts, stalls });

void describe("camera stats and connection quality", () => {
  void it("fps over the window and breaks over the hour from cumulative samples", () => {
    const samples = [
      s(0, 0, 0, 0),
      s(1_000_000, 1000, 900, 100, 1, 0),
      s(3_600_000, 5000, 4000, 900, 3, 2),
      s(3_660_000, 5300, 4240, 960, 4, 2),
    ];
    assert.deepEqual(cameraRates(samples, 60_000), {
      camera_fps: 5,
      process_fps: 4,
      skipped_fps: 1,
      motion_gated_fps: 0,
      shed_fps: 0,
      reconnects_last_hour: 3,
      stalls_last_hour: 2,
    });
    assert.deepEqual(cameraRates([], 60_000), {
      camera_fps: 0,
      process_fps: 0,
      skipped_fps: 0,
      motion_gated_fps: 0,
      shed_fps: 0,
      reconnects_last_hour: 0,
      stalls_last_hour: 0,
    });
  });

  void it("frames held back by motion gating and by shedding have their own rates", () => {
    const gated = [
      { ...s(0, 0, 0, 0), motionGated: 0, shed: 0 },
      { ...s(60_000, 300, 30, 0), motionGated: 240, shed: 30 },
    ];
    const r = cameraRates(gated, 60_000);
    assert.equal(r.motion_gated_fps, 4);
    assert.equal(r.shed_fps, 0.5);
    assert.equal(r.skipped_fps, 0);
  });

  void it("rates are never negative, even when a re-created camera's counters restart", () => {
    const sample = fc.record({
      at: fc.nat(10_000_000),
      decoded: fc.nat(1e6),
      analysed: fc.nat(1e6),
      skipped: fc.nat(1e6),
      restarts: fc.nat(100),
      stalls: fc.nat(100),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 30 }), (raw) => {
        const r = cameraRates(
          [...raw].sort((a, b) => a.at - b.at),
          60_000,
        );
        return Object.values(r).every((v) => v >= 0 && Number.isFinite(v));
      }),
    );
  });

  void it("grades the link: offline is unusable, full fps without breaks excellent", () => {
    const q = (online: boolean, fps: number, reconnects = 0, stalls = 0) =>
      connectionQuality({
        online,
        cameraFps: fps,
        expectedFps: 5,
        reconnectsLastHour: reconnects,
        stallsLastHour: stalls,
      });
    assert.equal(q(false, 5), "unusable");
    assert.equal(q(true, 5), "excellent");
    assert.equal(q(true, 5, 1), "excellent");
    assert.equal(q(true, 4), "fair");
    assert.equal(q(true, 5, 2, 1), "fair");
    assert.equal(q(true, 2), "poor");
    assert.equal(q(true, 5, 5, 3), "poor");
  });

  void it("the tracker samples cameras on its clock and forgets removed ones", () => {
    let now = 0;
    let cams = [
      {
        id: "door",
        expectedFps: 5,
        online: true,
        counters: { decoded: 0, analysed: 0, skipped: 0, restarts: 0, stalls: 0 },
      },
    ];
    const tracker = new CameraStatsTracker(() => cams, { sampleMs: 5000, windowMs: 60_000, now: () => now });
    tracker.sample();
    now = 60_000;
    cams = [
      {
        id: "door",
        expectedFps: 5,
        online: true,
        counters: { decoded: 300, analysed: 300, skipped: 0, restarts: 0, stalls: 0 },
      },
    ];
    tracker.sample();
    assert.equal(tracker.statsFor("door")?.camera_fps, 5);
    assert.equal(tracker.statsFor("door")?.connection_quality, "excellent");
    cams = [];
    tracker.sample();
    assert.equal(tracker.statsFor("door"), undefined, "a removed camera has no stats");
  });
});
