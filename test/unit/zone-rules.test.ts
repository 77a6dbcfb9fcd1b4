import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildConfig } from "../../src/config/loader.js";
import { ErrorCodes, isVigilError } from "../../src/core/errors.js";
import { ruleEngineSetup } from "../../src/analytics/rule-engine-setup.js";
import { restrictedRule } from "../../src/analytics/rules/restricted.js";
import { noParkingRule } from "../../src/analytics/rules/no-parking.js";
import type { ZoneRule } from "../../src/analytics/rules/candidate.js";
import type { Track } from "../../src/analytics/tracker.js";

const SQUARE = [
  [0.2, 0.2],
  [0.8, 0.2],
  [0.8, 0.8],
  [0.2, 0.8],
];
const config = (cameraZones: unknown[], zoneRules: unknown[]) =>
  buildConfig(
    {
      site: "hq",
      gateway: "gw-01",
      cameras: [{ id: "yard", url: "rtsp://127.0.0.1/x", zones: cameraZones }],
      rules: { zones: zoneRules },
    },
    {},
    "/tmp",
  );

function configError(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isVigilError(err, ErrorCodes.CONFIG_INVALID)) return (err.details as { path: string }).path;
    throw err;
  }
  return undefined;
}

const track = (label: string, stationary: boolean): Track => ({
  id: 3,
  label,
  box: { x1: 0.4, y1: 0.4, x2: 0.6, y2: 0.6 },
  score: 0.7,
  bestScore: 0.75,
  vx: 0,
  vy: 0,
  hits: 9,
  misses: 0,
  confirmed: true,
  firstSeenAt: 0,
  lastSeenAt: 0,
  stationary,
  path: [],
});

void describe("zone rule config", () => {
  void it("fills each kind's defaults", () => {
    const setup = ruleEngineSetup(
      config(
        [{ id: "lane", name: "Fire lane", polygon: SQUARE }],
        [
          { id: "p", kind: "no_parking", camera: "yard", zone: "lane" },
          { id: "l", kind: "loitering", camera: "yard", zone: "lane" },
        ],
      ),
    );
    assert.deepEqual(
      setup.zoneRules.map((r) => [r.id, r.labels, r.minMs, r.nextStep, r.zoneName]),
      [
        ["p", ["car", "truck", "bus", "motorcycle"], 60_000, "notify", "Fire lane"],
        ["l", ["person"], 30_000, "notify", "Fire lane"],
      ],
    );
  });

  void it("refuses polygons with fewer than 3 points or outside 0..1, unknown zones, duplicates and built-in names, naming the key", () => {
    assert.equal(
      configError(() =>
        config(
          [
            {
              id: "z",
              polygon: [
                [0, 0],
                [1, 1],
              ],
            },
          ],
          [],
        ),
      ),
      "cameras[0].zones[0].polygon",
    );
    assert.match(
      configError(() =>
        config(
          [
            {
              id: "z",
              polygon: [
                [0, 0],
                [1.2, 0],
                [1, 1],
              ],
            },
          ],
          [],
        ),
      ) ?? "",
      /^cameras\[0\]\.zones\[0\]\.polygon/,
    );
    assert.equal(
      configError(() =>
        config([{ id: "z", polygon: SQUARE }], [{ id: "r", kind: "restricted", camera: "yard", zone: "nope" }]),
      ),
      "rules.zones[0].zone",
    );
    assert.equal(
      configError(() =>
        config([{ id: "z", polygon: SQUARE }], [{ id: "r", kind: "restricted", camera: "gate", zone: "z" }]),
      ),
      "rules.zones[0].camera",
    );
    assert.equal(
      configError(() =>
        config(
          [
            { id: "z", polygon: SQUARE },
            { id: "z", polygon: SQUARE },
          ],
          [],
        ),
      ),
      "cameras[0].zones[1].id",
    );
    assert.equal(
      configError(() =>
        config([{ id: "z", polygon: SQUARE }], [{ id: "tamper", kind: "restricted", camera: "yard", zone: "z" }]),
      ),
      "rules.zones[0].id",
    );
  });
});

void describe("zone rule kinds", () => {
  const rule: ZoneRule = {
    id: "r",
    kind: "restricted",
    cameraId: "yard",
    zoneId: "z",
    zoneName: "Server room",
    labels: ["person"],
    minMs: 2000,
    nextStep: "notify",
  };
  void it("restricted: only its labels, only after min_seconds in the zone", () => {
    assert.deepEqual(restrictedRule(rule, [{ track: track("person", false), enteredAt: 0, dwellMs: 1999 }], 1999), []);
    assert.deepEqual(restrictedRule(rule, [{ track: track("dog", false), enteredAt: 0, dwellMs: 5000 }], 5000), []);
    const [c] = restrictedRule(rule, [{ track: track("person", false), enteredAt: 0, dwellMs: 2000 }], 2000);
    assert.deepEqual(c?.object, {
      label: "person",
      score: 0.75,
      box: { x1: 0.4, y1: 0.4, x2: 0.6, y2: 0.6 },
      track_id: 3,
    });
    assert.equal(c?.summary, "Person in restricted zone Server room on camera yard");
  });

  void it("no_parking: a moving vehicle never counts, however long in the zone", () => {
    const np: ZoneRule = { ...rule, kind: "no_parking", labels: ["car"], minMs: 60_000 };
    assert.deepEqual(noParkingRule(np, [{ track: track("car", false), enteredAt: 0, dwellMs: 600_000 }], 600_000), []);
    assert.equal(noParkingRule(np, [{ track: track("car", true), enteredAt: 0, dwellMs: 60_000 }], 60_000).length, 1);
  });
});
