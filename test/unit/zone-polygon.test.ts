import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Value } from "@sinclair/typebox/value";
import { ZoneSchema } from "../../src/config/camera-schema.js";
import {
  clampUnit,
  insertPoint,
  MAX_POINTS,
  movePoint,
  nudgePoint,
  polygonProblem,
  type Polygon,
  relativePoint,
  removePoint,
  starterPolygon,
} from "../../src/contract/zone-polygon.js";

const coord = fc.double({ noNaN: false, min: -10, max: 10 });
const unitPoint = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([x, y]) => [clampUnit(x), clampUnit(y)] as const);
const polygon = fc.array(unitPoint, { minLength: 3, maxLength: MAX_POINTS });
const inFrame = (poly: Polygon): boolean => poly.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1);

void describe("zone polygon editing (console zone editor)", () => {
  void it("every edit keeps every point inside the frame, whatever the input", () => {
    fc.assert(
      fc.property(polygon, fc.nat(70), coord, coord, (poly, i, x, y) => {
        for (const edited of [
          movePoint(poly, i, x, y),
          nudgePoint(poly, i, x, y),
          insertPoint(poly, i, [x, y]),
          removePoint(poly, i),
        ])
          assert.ok(inFrame(edited));
      }),
    );
  });

  void it("a move changes only the point moved; a nudge adds the step before clamping", () => {
    fc.assert(
      fc.property(polygon, fc.nat(63), fc.double({ min: -0.2, max: 0.2, noNaN: true }), (poly, raw, d) => {
        const i = raw % poly.length;
        const moved = nudgePoint(poly, i, d, -d);
        moved.forEach((p, k) => (k === i ? undefined : assert.deepEqual(p, poly[k])));
        const before = poly[i] as readonly [number, number];
        assert.deepEqual(moved[i], [clampUnit(before[0] + d), clampUnit(before[1] - d)]);
      }),
    );
  });

  void it("insert and remove change the length by one, within the schema's 64", () => {
    fc.assert(
      fc.property(polygon, fc.integer({ min: -1, max: 70 }), unitPoint, (poly, at, p) => {
        const bigger = insertPoint(poly, at, p);
        assert.equal(bigger.length, Math.min(MAX_POINTS, poly.length + 1));
        assert.equal(removePoint(poly, Math.abs(at) % poly.length).length, poly.length - 1);
      }),
    );
  });

  void it("a polygon it calls saveable is a zone the config schema accepts", () => {
    fc.assert(
      fc.property(fc.array(unitPoint, { minLength: 0, maxLength: 70 }), (poly) => {
        const ok = polygonProblem(poly) === undefined;
        assert.equal(Value.Check(ZoneSchema, { id: "z", polygon: poly }), ok);
      }),
    );
    assert.equal(polygonProblem(starterPolygon()), undefined);
  });

  void it("maps a click in the shown picture to relative coordinates", () => {
    assert.deepEqual(relativePoint(150, 75, { left: 100, top: 50, width: 200, height: 100 }), [0.25, 0.25]);
    assert.deepEqual(relativePoint(400, 0, { left: 100, top: 50, width: 200, height: 100 }), [1, 0]);
  });
});
