import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildConfig } from "../../src/config/loader.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { expectVigil } from "../helpers/expect-vigil.js";

const MINIMAL = { site: "hq", gateway: "gw-01" };
const BASE = "/etc/vigil";

function invalidAt(raw: unknown, env: NodeJS.ProcessEnv, path: string): void {
  const err = expectVigil(() => buildConfig(raw, env, BASE), ErrorCodes.CONFIG_INVALID);
  assert.equal(err.details?.path, path);
}

void describe("detector config", () => {
  void it("defaults to the cpu provider, the person and vehicle labels, and the health policy's cool-down", () => {
    const d = buildConfig(MINIMAL, {}, BASE).detector;
    assert.deepEqual(d.providers, ["cpu"]);
    assert.deepEqual(d.labels, ["person", "car", "truck", "bus", "motorcycle", "bicycle"]);
    assert.deepEqual(d.label_thresholds, {});
    assert.equal(d.deadline_ms, 1000);
    assert.equal(d.cooldown_s, 300);
    assert.deepEqual([d.min_area, d.max_area, d.max_detections], [0, 1, 100]);
  });

  void it("takes a provider list from the environment as a comma-separated list", () => {
    assert.deepEqual(buildConfig(MINIMAL, { VIGIL__DETECTOR__PROVIDERS: "cuda,cpu" }, BASE).detector.providers, [
      "cuda",
      "cpu",
    ]);
  });

  void it("refuses an unknown provider, a repeated one, an empty list and out-of-range thresholds, by path", () => {
    invalidAt({ ...MINIMAL, detector: { providers: ["gpu"] } }, {}, "detector.providers[0]");
    invalidAt({ ...MINIMAL, detector: { providers: ["cpu", "cpu"] } }, {}, "detector.providers");
    invalidAt({ ...MINIMAL, detector: { providers: [] } }, {}, "detector.providers");
    invalidAt({ ...MINIMAL, detector: { label_thresholds: { person: 1.5 } } }, {}, "detector.label_thresholds.person");
    invalidAt({ ...MINIMAL, detector: { deadline_ms: 0 } }, {}, "detector.deadline_ms");
  });
});
