// A runtime camera's zones and zone rules are checked as the config loader checks `rules.zones`
// and `cameras[].zones`: the 400 names the field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildConfig } from "../../src/config/loader.js";
import type { ZoneRuleConfig } from "../../src/config/schema.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { checkCameraRules, checkCameraZones } from "../../src/ingest/camera-zone-rules.js";
import { expectVigil } from "../helpers/expect-vigil.js";

const camera = buildConfig(
  {
    site: "hq",
    gateway: "gw",
    cameras: [
      {
        id: "porch",
        zones: [
          {
            id: "door",
            polygon: [
              [0, 0],
              [1, 0],
              [1, 1],
            ],
          },
        ],
      },
    ],
  },
  {},
  "/etc/vigil",
).cameras[0];
assert.ok(camera);
const rule = (over: Partial<ZoneRuleConfig> = {}): ZoneRuleConfig => ({
  id: "porch-in",
  kind: "restricted",
  camera: "porch",
  zone: "door",
  enabled: true,
  ...over,
});
const fieldOf = (work: () => void): unknown => expectVigil(work, ErrorCodes.VALIDATION).details?.field;

void describe("runtime camera zone rules", () => {
  void it("accepts rules the config would accept", () => {
    checkCameraRules(camera, [rule(), rule({ id: "porch-loiter", kind: "loitering", min_seconds: 20 })]);
  });

  void it("refuses, naming the field: another camera, a missing zone, an id twice, a built-in name, an id taken elsewhere", () => {
    assert.equal(
      fieldOf(() => checkCameraRules(camera, [rule({ camera: "lobby" })])),
      "/rules/0/camera",
    );
    assert.equal(
      fieldOf(() => checkCameraRules(camera, [rule(), rule({ id: "b", zone: "nowhere" })])),
      "/rules/1/zone",
    );
    assert.equal(
      fieldOf(() => checkCameraRules(camera, [rule(), rule()])),
      "/rules/1/id",
    );
    assert.equal(
      fieldOf(() => checkCameraRules(camera, [rule({ id: "tamper" })])),
      "/rules/0/id",
    );
    assert.equal(
      fieldOf(() => checkCameraRules(camera, [rule()], new Set(["porch-in"]))),
      "/rules/0/id",
    );
  });

  void it("zones: no id twice, and none removed from under a rule", () => {
    checkCameraZones(camera, [rule()]);
    assert.equal(
      fieldOf(() => checkCameraZones({ ...camera, zones: [] }, [rule()])),
      "/zones",
    );
    const door = camera.zones?.[0];
    assert.ok(door);
    assert.equal(
      fieldOf(() => checkCameraZones({ ...camera, zones: [door, door] }, [])),
      "/zones/1/id",
    );
  });
});
