// Which zones and rules a detection would feed: the detection preview's answer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { zoneHits } from "../../src/analytics/zone-hits.js";
import type { ZoneRule } from "../../src/analytics/rules/candidate.js";

const floor = {
  id: "floor",
  polygon: [
    [0, 0.5],
    [1, 0.5],
    [1, 1],
    [0, 1],
  ],
};
const lot = {
  id: "lot",
  polygon: [
    [0, 0],
    [1, 0],
    [1, 0.5],
    [0, 0.5],
  ],
  labels: ["car"],
};
const rule = (id: string, zoneId: string, labels: string[], cameraId = "gate"): ZoneRule => ({
  id,
  kind: "restricted",
  cameraId,
  zoneId,
  zoneName: zoneId,
  labels,
  minMs: 0,
  nextStep: "notify",
});
const RULES = [
  rule("no-entry", "floor", ["person"]),
  rule("other-camera", "floor", ["person"], "yard"),
  rule("no-parking", "lot", ["car"]),
];

void describe("zoneHits", () => {
  void it("a person standing on the floor feeds that zone's person rules on this camera only", () => {
    const person = { label: "person", box: { x1: 0.4, y1: 0.3, x2: 0.5, y2: 0.8 } };
    assert.deepEqual(zoneHits(person, "gate", [floor, lot], RULES), [{ zone: "floor", rules: ["no-entry"] }]);
  });

  void it("the feet count, not the head; a zone's labels filter; an untaken label feeds no rule", () => {
    assert.deepEqual(
      zoneHits({ label: "person", box: { x1: 0.4, y1: 0.6, x2: 0.5, y2: 0.45 } }, "gate", [floor, lot], RULES),
      [],
    );
    assert.deepEqual(
      zoneHits({ label: "car", box: { x1: 0.1, y1: 0.1, x2: 0.3, y2: 0.3 } }, "gate", [floor, lot], RULES),
      [{ zone: "lot", rules: ["no-parking"] }],
    );
    assert.deepEqual(
      zoneHits({ label: "dog", box: { x1: 0.1, y1: 0.6, x2: 0.3, y2: 0.9 } }, "gate", [floor, lot], RULES),
      [{ zone: "floor", rules: [] }],
    );
  });

  void it("a box whose bottom centre is outside every zone hits none, wherever the rest of it is", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.49, noNaN: true }),
        (x, y2) => {
          assert.deepEqual(zoneHits({ label: "person", box: { x1: x, y1: 0, x2: x, y2 } }, "gate", [floor], RULES), []);
        },
      ),
    );
  });
});
