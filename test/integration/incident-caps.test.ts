// Bounded incidents through the real tracker, zones, rule engine, IncidentService and LevelDB
// outbox (issue 22): a zone that never empties makes a linked chain of incidents, each within the
// caps, and no incident.updated grows with the scene's history.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RuleEngine } from "../../src/analytics/rule-engine.js";
import { ruleEngineSetup } from "../../src/analytics/rule-engine-setup.js";
import { buildConfig } from "../../src/config/loader.js";
import type { Detection } from "../../src/contract/detection.js";
import type { VigilEvents } from "../../src/contract/events.js";
import type { Incident } from "../../src/contract/incident.js";
import { EventBus } from "../../src/core/event-bus.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { openStoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const T0 = Date.parse("2026-12-07T21:00:00Z");

/** Person `i` stands still in its own cell of a 5 x 4 grid. */
function person(i: number): Detection {
  const x = 0.04 + (i % 5) * 0.19;
  const y = 0.05 + Math.floor(i / 5) * 0.24;
  return { label: "person", score: 0.7 + (i % 3) * 0.1, box: { x1: x, y1: y, x2: x + 0.08, y2: y + 0.18 } };
}

void describe("incident caps on the real rule engine and store", () => {
  void it("20 people arriving over 200 s and staying: a linked chain of incidents of at most 3 objects and 60 s, updates bounded", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-caps-"));
    const stack = await openStoreStack(dir);
    try {
      const config = buildConfig(
        {
          site: "hq",
          gateway: "gw-01",
          cameras: [
            {
              id: "yard",
              url: "rtsp://127.0.0.1/y",
              zones: [
                {
                  id: "benches",
                  polygon: [
                    [0, 0],
                    [1, 0],
                    [1, 1],
                    [0, 1],
                  ],
                },
              ],
            },
          ],
          rules: {
            zones: [{ id: "benches-watch", kind: "restricted", camera: "yard", zone: "benches" }],
            incident_caps: { max_duration_s: 60, max_objects: 3 },
          },
        },
        {},
        dir,
      );
      let clock = T0;
      const bus = new EventBus<VigilEvents>((event, err) => assert.fail(`${String(event)}: ${String(err)}`));
      const incidents = new IncidentService(
        stack.db,
        stack.outbox,
        bus,
        silentLogger(),
        undefined,
        { minConfidence: 0.5 },
        () => clock,
      );
      const engine = new RuleEngine(
        { ...ruleEngineSetup(config), sweepIntervalMs: 0 },
        { bus, incidents, log: silentLogger(), now: () => clock },
      );
      await engine.start();
      for (let f = 0; f < 400; f++) {
        clock = T0 + f * 500;
        const present = Math.min(20, Math.floor(f / 20) + 1); // one more person every 10 s
        bus.emit("detections", {
          cameraId: "yard",
          frameIndex: f,
          capturedAt: clock,
          inferenceMs: 1,
          detections: Array.from({ length: present }, (_, i) => person(i)),
        });
        await engine.drain();
      }
      await engine.stop();

      const all: Incident[] = (await incidents.list({ limit: 1000 })).incidents;
      const byId = new Map(all.map((i) => [i.id, i]));
      const roots = all.filter((i) => i.continues === undefined);
      assert.equal(roots.length, 1, "one chain: the zone never emptied");
      // Walk the chain from its root: each link ended and names the next, which names it back.
      const chain: Incident[] = [];
      for (let at: Incident | undefined = roots[0]; at; at = at.continued_by ? byId.get(at.continued_by) : undefined)
        chain.push(at);
      assert.equal(chain.length, all.length, "every incident is in the chain");
      assert.ok(chain.length >= 7, `20 people at 3 a link make at least 7 links (got ${chain.length})`);
      for (const [n, link] of chain.entries()) {
        assert.ok(link.objects.length <= 3, `link ${n} lists ${link.objects.length} objects`);
        assert.ok(Date.parse(link.last_seen_at) - Date.parse(link.started_at) < 60_000, `link ${n} spans 60 s or more`);
        assert.notEqual(link.ended_at, null, "every link ended (the last one at stop)");
        if (n > 0) assert.equal(link.continues, chain[n - 1]?.id);
      }
      const tracks = new Set(all.flatMap((i) => i.objects.map((o) => o.track_id)));
      assert.equal(tracks.size, 20, "every person is listed in some link");

      const sent = await stack.outbox.read("incidents", 0, 10_000);
      const sizes = sent.map((e) => Buffer.byteLength(JSON.stringify(e.envelope)));
      assert.ok(sent.length > 0);
      const biggest = Math.max(...sizes);
      assert.ok(biggest < 3_000, `largest incident message ${biggest} bytes`);
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
