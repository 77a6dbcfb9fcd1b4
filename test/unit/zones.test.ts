import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { INITIAL_TRACKER, stepTracker, type Track, type TrackerState } from "../../src/analytics/tracker.js";
import {
  EMPTY_PRESENCE,
  pointInPolygon,
  stepZones,
  type ZoneDef,
  type ZonePresence,
} from "../../src/analytics/zones.js";

const coord = fc.double({ min: 0, max: 1, noNaN: true });

const track = (id: number, x: number, y2: number, label = "person"): Track => ({
  id,
  label,
  box: { x1: x - 0.05, y1: y2 - 0.2, x2: x + 0.05, y2 },
  score: 0.9,
  bestScore: 0.9,
  vx: 0,
  vy: 0,
  hits: 3,
  misses: 0,
  confirmed: true,
  firstSeenAt: 0,
  lastSeenAt: 0,
  stationary: false,
  path: [],
});

void describe("zones", () => {
  void it("point in an axis-aligned rectangle agrees with the bounds check", () => {
    fc.assert(
      fc.property(coord, coord, coord, coord, coord, coord, (a, b, c, d, x, y) => {
        const [x1, x2] = [Math.min(a, b), Math.max(a, b)];
        const [y1, y2] = [Math.min(c, d), Math.max(c, d)];
        fc.pre(x !== x1 && x !== x2 && y !== y1 && y !== y2);
        const poly = [
          [x1, y1],
          [x2, y1],
          [x2, y2],
          [x1, y2],
        ];
        assert.equal(pointInPolygon({ x, y }, poly), x > x1 && x < x2 && y > y1 && y < y2);
      }),
    );
  });

  void it("point in polygon does not depend on where the vertex list starts nor on its direction", () => {
    // Vertices on a 0.1 grid and points off it by fractions no edge between grid points can pass through.
    const grid = fc.integer({ min: 0, max: 10 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(grid, grid), { minLength: 3, maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        (pts, rot, i, j) => {
          const poly = pts.map(([a, b]) => [a / 10, b / 10]);
          const [x, y] = [(i + 0.25) / 10, (j + 0.11) / 10];
          const k = rot % poly.length;
          const rotated = [...poly.slice(k), ...poly.slice(0, k)];
          const inside = pointInPolygon({ x, y }, poly);
          assert.equal(pointInPolygon({ x, y }, rotated), inside);
          assert.equal(pointInPolygon({ x, y }, [...poly].reverse()), inside);
        },
      ),
    );
  });

  void it("judges presence by the bottom centre: a tall box whose feet are outside is outside", () => {
    const zone: ZoneDef = {
      id: "door",
      polygon: [
        [0.4, 0.5],
        [0.6, 0.5],
        [0.6, 0.7],
        [0.4, 0.7],
      ],
    };
    const feetIn = track(1, 0.5, 0.65);
    const headIn = { ...track(2, 0.5, 0.95), box: { x1: 0.45, y1: 0.55, x2: 0.55, y2: 0.95 } };
    const step = stepZones(EMPTY_PRESENCE, [zone], [feetIn, headIn], 0);
    assert.deepEqual(
      step.occupants.get("door")?.map((o) => o.track.id),
      [1],
    );
  });

  void it("emits enter and leave once each with the dwell time, ignoring labels the zone does not take", () => {
    const zone: ZoneDef = {
      id: "bay",
      polygon: [
        [0.3, 0.3],
        [0.7, 0.3],
        [0.7, 0.9],
        [0.3, 0.9],
      ],
      labels: ["person"],
    };
    let presence: ZonePresence = EMPTY_PRESENCE;
    const events: string[] = [];
    const xs = [0.1, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9];
    xs.forEach((x, i) => {
      const step = stepZones(presence, [zone], [track(7, x, 0.6), track(8, 0.5, 0.6, "car")], i * 1000);
      events.push(...step.events.map((e) => `${e.kind}:${e.trackId}@${e.at}/${e.dwellMs}`));
      presence = step.presence;
    });
    assert.deepEqual(events, ["enter:7@2000/0", "leave:7@5000/3000"]);
  });

  void it("a track that ends leaves every zone; dwell grows while it stays", () => {
    const zone: ZoneDef = {
      id: "all",
      polygon: [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ],
    };
    let tracker: TrackerState = INITIAL_TRACKER;
    let presence: ZonePresence = EMPTY_PRESENCE;
    const dwell: number[] = [];
    for (let i = 0; i < 5; i++) {
      tracker = stepTracker(
        tracker,
        [{ label: "person", score: 0.9, box: { x1: 0.4, y1: 0.4, x2: 0.5, y2: 0.6 } }],
        i * 500,
        {
          iouThreshold: 0.2,
          minFrames: 2,
          maxMissedFrames: 1,
          maxMissedMs: 5000,
          stationaryWindowMs: 10_000,
          stationaryRatio: 0.25,
          stationaryMaxMissedMs: 30_000,
        },
      ).state;
      const step = stepZones(presence, [zone], tracker.tracks, i * 500);
      presence = step.presence;
      dwell.push(step.occupants.get("all")?.[0]?.dwellMs ?? -1);
    }
    assert.deepEqual(dwell, [-1, 0, 500, 1000, 1500]);
    const gone = stepZones(presence, [zone], [], 3000);
    assert.deepEqual(
      gone.events.map((e) => [e.kind, e.dwellMs]),
      [["leave", 2500]],
    );
  });
});
