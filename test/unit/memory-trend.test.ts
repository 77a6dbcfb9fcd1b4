// Health's memory verdict (issue 22): RSS and its least-squares slope over the last hour; degraded
// above the budget, or on a slope sustained over enough of the window.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  addPoint,
  memoryVerdict,
  type MemoryPoint,
  type MemoryPolicy,
  slopeMiBPerMin,
} from "../../src/health/memory-trend.js";

const MIB = 2 ** 20;
const HOUR = 3_600_000;
const POLICY: MemoryPolicy = {
  budgetBytes: 1024 * MIB,
  maxSlopeMiBPerMin: 0.5,
  sustainedMs: 45 * 60_000,
  windowMs: HOUR,
};

/** Readings every 30 s for `minutes`, RSS = base + slope * t + noise. */
function series(minutes: number, base: number, slope: number, noise: readonly number[] = []): MemoryPoint[] {
  let points: MemoryPoint[] = [];
  for (let i = 0; i <= minutes * 2; i++)
    points = addPoint(
      points,
      { at: i * 30_000, rss: (base + slope * (i / 2) + (noise[i % Math.max(1, noise.length)] ?? 0)) * MIB },
      HOUR,
    );
  return points;
}

void describe("memory trend", () => {
  void it("recovers a linear slope exactly, whatever the base", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 50, max: 4000, noNaN: true }),
        fc.integer({ min: 2, max: 120 }),
        (slope, base, minutes) => {
          const got = slopeMiBPerMin(series(minutes, base, slope));
          assert.ok(got !== null && Math.abs(got - slope) < 1e-6, `${got} vs ${slope}`);
        },
      ),
    );
  });

  void it("keeps at most one window of readings, in order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 300 }), (gaps) => {
        let points: MemoryPoint[] = [];
        let at = 0;
        for (const g of gaps) {
          points = addPoint(points, { at: (at += g), rss: MIB }, HOUR);
          const first = points[0];
          assert.ok(first !== undefined && at - first.at <= HOUR);
          for (let i = 1; i < points.length; i++) assert.ok((points[i]?.at ?? 0) >= (points[i - 1]?.at ?? 0));
        }
      }),
    );
  });

  void it("a slope under the limit, or over it for less than the sustained span, is not degraded; bounded noise does not trip it", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2, max: 0.2, noNaN: true }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (slope, noise) => {
          // A flat-ish series with sawtooth noise of +-10 MiB (GC, caches) over a full hour.
          const v = memoryVerdict(series(60, 300, slope, noise), POLICY);
          assert.deepEqual(v.reasons, []);
        },
      ),
    );
    fc.assert(
      fc.property(fc.double({ min: 0.6, max: 50, noNaN: true }), fc.integer({ min: 1, max: 44 }), (slope, minutes) => {
        assert.deepEqual(
          memoryVerdict(series(minutes, 300, slope), { ...POLICY, budgetBytes: Number.MAX_SAFE_INTEGER }).reasons,
          [],
        );
      }),
    );
  });

  void it("a sustained slope over the limit is degraded, named with its figures", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.6, max: 50, noNaN: true }),
        fc.integer({ min: 45, max: 180 }),
        (slope, minutes) => {
          const v = memoryVerdict(series(minutes, 300, slope), { ...POLICY, budgetBytes: Number.MAX_SAFE_INTEGER });
          assert.equal(v.reasons.length, 1);
          assert.match(v.reasons[0] ?? "", /MiB a minute over the last (4[5-9]|5\d|60) minutes/);
        },
      ),
    );
  });

  void it("RSS above the budget is degraded at once; the issue's soak (1.3 MiB a minute) trips the slope after 45 minutes", () => {
    assert.equal(memoryVerdict([{ at: 0, rss: 1025 * MIB }], POLICY).reasons.length, 1);
    assert.deepEqual(memoryVerdict(series(40, 255, 1.3), POLICY).reasons, []);
    const v = memoryVerdict(series(46, 255, 1.3), POLICY);
    assert.equal(v.slope_mib_per_min, 1.3);
    assert.equal(v.reasons.length, 1);
    assert.equal(memoryVerdict([], POLICY).rss_bytes, null);
  });
});
