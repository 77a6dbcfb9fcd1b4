// Zones and zone rules replaced while the rule engine runs (a runtime camera's rules saved in the
// console), on the real IncidentService and LevelDB store: a rule added to an engine that started
// with none raises incidents, and a camera whose rules did not change keeps its tracks and timers.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RuleEngine } from "../../src/analytics/rule-engine.js";
import { ruleEngineSetup } from "../../src/analytics/rule-engine-setup.js";
import { liveZones } from "../../src/compose/zone-rules.js";
import { buildConfig } from "../../src/config/loader.js";
import type { CameraConfig, ZoneRuleConfig } from "../../src/config/schema.js";
import type { VigilEvents } from "../../src/contract/events.js";
import { EventBus } from "../../src/core/event-bus.js";
import type { RegisteredCamera } from "../../src/ingest/camera-registry-rules.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { openStoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const T0 = Date.parse("2026-12-08T01:00:00Z");
const WHOLE = {
  id: "all",
  polygon: [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ],
};
const person = { label: "person", score: 0.8, box: { x1: 0.4, y1: 0.3, x2: 0.5, y2: 0.7 } };

void describe("rule engine: zones and rules replaced live", () => {
  void it("applies rules added after start, and restarts only the zone analysis of the camera that changed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-live-zones-"));
    const stack = await openStoreStack(dir);
    try {
      const config = buildConfig(
        {
          site: "hq",
          gateway: "gw-01",
          cameras: [
            { id: "door", zones: [WHOLE] },
            { id: "lobby", zones: [WHOLE] },
          ],
        },
        {},
        dir,
      );
      const bus = new EventBus<VigilEvents>((event, err) => assert.fail(`${String(event)}: ${String(err)}`));
      const incidents = new IncidentService(
        stack.db,
        stack.outbox,
        bus,
        silentLogger(),
        undefined,
        { minConfidence: 0.1, watchlistThreshold: 0.6 },
        () => T0,
      );
      const engine = new RuleEngine(
        { ...ruleEngineSetup(config), sweepIntervalMs: 0 },
        { bus, incidents, log: silentLogger() },
      );
      await engine.start();
      // As main.ts does: the running cameras plus each runtime camera's stored rules.
      const apply = (rules: Record<string, ZoneRuleConfig[]>): void => {
        const registered: RegisteredCamera[] = config.cameras.map((c: CameraConfig) => ({
          camera: c,
          origin: "runtime",
          probe: null,
          rules: rules[c.id] ?? [],
        }));
        const live = liveZones(config.cameras, [], { list: () => registered });
        engine.replaceZones(live.zones, live.rules);
      };
      const frame = (cameraId: string, s: number): void =>
        bus.emit("detections", {
          cameraId,
          frameIndex: s,
          capturedAt: T0 + s * 1000,
          inferenceMs: 1,
          detections: [person],
        });
      const loiter = (camera: string, id: string, min: number, labels = ["person"]): ZoneRuleConfig => ({
        id,
        kind: "loitering",
        camera,
        zone: "all",
        labels,
        min_seconds: min,
        enabled: true,
      });

      apply({ door: [loiter("door", "door-loiter", 8)], lobby: [loiter("lobby", "lobby-loiter", 8)] });
      for (let s = 0; s <= 5; s++) {
        frame("door", s);
        frame("lobby", s);
      }
      // door's rule changes (its labels; the same time, so only a restart can delay it); lobby's does not.
      apply({
        door: [loiter("door", "door-loiter", 8, ["person", "car"])],
        lobby: [loiter("lobby", "lobby-loiter", 8)],
      });
      for (let s = 6; s <= 10; s++) {
        frame("door", s);
        frame("lobby", s);
      }
      await engine.drain();
      const raised = (await incidents.list({ limit: 10 })).incidents.map((i) => [i.rule, i.camera_id]);
      // lobby kept its track (in the zone since 0 s: 10 s >= 8 s); door started over at 6 s (4 s < 8 s).
      assert.deepEqual(raised, [["lobby-loiter", "lobby"]]);
      for (let s = 11; s <= 20; s++) frame("door", s);
      await engine.drain();
      const rules = (await incidents.list({ limit: 10 })).incidents.map((i) => i.rule).sort();
      assert.deepEqual(rules, ["door-loiter", "lobby-loiter"]);
      await engine.stop();
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
