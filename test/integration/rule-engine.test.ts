// The rule engine's face and camera-event paths through the bus, on the real IncidentService and
// LevelDB store: a watchlist match keeps its name only above threshold, unknown faces count only
// where configured, tamper events group by window; rule updates and operators' decisions on one
// incident are serialised.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RuleEngine } from "../../src/analytics/rule-engine.js";
import { ruleEngineSetup } from "../../src/analytics/rule-engine-setup.js";
import { buildConfig } from "../../src/config/loader.js";
import type { VigilEvents } from "../../src/contract/events.js";
import type { RecognisedFace } from "../../src/contract/faces.js";
import type { Incident } from "../../src/contract/incident.js";
import { EventBus } from "../../src/core/event-bus.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { openStoreStack, type StoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const T0 = Date.parse("2026-11-18T21:00:00Z");

async function withEngine(
  rules: Record<string, unknown>,
  work: (e: {
    bus: EventBus<VigilEvents>;
    engine: RuleEngine;
    incidents: IncidentService;
    list: () => Promise<Incident[]>;
    stack: StoreStack;
  }) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-engine-"));
  const stack = await openStoreStack(dir);
  try {
    const config = buildConfig(
      {
        site: "hq",
        gateway: "gw-01",
        cameras: [
          { id: "door", url: "rtsp://127.0.0.1/d" },
          { id: "lobby", url: "rtsp://127.0.0.1/l" },
        ],
        rules,
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
      { minConfidence: 0.5, watchlistThreshold: config.rules.watchlist_face.min_similarity },
      () => T0,
    );
    const engine = new RuleEngine(
      { ...ruleEngineSetup(config), sweepIntervalMs: 0 },
      { bus, incidents, log: silentLogger() },
    );
    await engine.start();
    await work({ bus, engine, incidents, stack, list: async () => (await incidents.list({ limit: 100 })).incidents });
    await engine.stop();
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// As the recogniser reports them (contract/faces.ts): a match carries the person, every face its similarity.
const face = (match: { person_id: string; name: string; similarity: number } | null): RecognisedFace => ({
  box: { x1: 0.4, y1: 0.2, x2: 0.5, y2: 0.35 },
  score: 0.93,
  identity: match ? { person_id: match.person_id, name: match.name } : null,
  similarity: match?.similarity ?? 0.2,
  threshold: 0.3,
});
const JANE = { person_id: "p-17", name: "Jane Roe", similarity: 0.81 };

void describe("rule engine (faces, camera events) on the real store", () => {
  void it("a watchlist match raises one named incident; a weak match on another camera names no one", () =>
    withEngine({ unknown_face: { enabled: true, cameras: ["lobby"] } }, async ({ bus, engine, list }) => {
      for (let i = 0; i < 6; i++)
        bus.emit("faces", {
          cameraId: "door",
          frameIndex: i,
          capturedAt: T0 + i * 200,
          faces: [face(i === 2 ? JANE : null)],
        });
      for (let i = 0; i < 6; i++)
        bus.emit("faces", {
          cameraId: "lobby",
          frameIndex: i,
          capturedAt: T0 + i * 200,
          faces: [face({ ...JANE, similarity: 0.4 })],
        });
      await engine.drain();
      const [named, unknown, ...more] = (await list()).sort((a, b) => a.rule.localeCompare(b.rule)).reverse();
      assert.equal(more.length, 0);
      assert.equal(named?.rule, "watchlist_face");
      assert.deepEqual(named?.identity, { person_id: "p-17", name: "Jane Roe", similarity: 0.81 });
      assert.equal(named?.summary, "Watchlist match: Jane Roe (similarity 0.81) on camera door");
      assert.equal(named?.next_step, "notify");
      assert.equal(unknown?.rule, "unknown_face");
      assert.equal(unknown?.identity, undefined);
      assert.doesNotMatch(JSON.stringify(unknown), /Jane/);
    }));

  void it("tamper events: one incident per burst within the group window, a new one after it", () =>
    withEngine({ group_window_s: 30 }, async ({ bus, engine, list }) => {
      for (const s of [0, 5, 20, 40, 80])
        bus.emit("camera.event", { cameraId: "door", event: "tamper", at: T0 + s * 1000, details: {} });
      bus.emit("camera.event", { cameraId: "door", event: "motion", at: T0 + 41_000, details: {} });
      engine.sweep(T0 + 200_000);
      await engine.drain();
      const got = (await list()).sort((a, b) => a.started_at.localeCompare(b.started_at));
      const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
      assert.deepEqual(
        got.map((i) => [i.rule, i.started_at, i.ended_at, i.confidence]),
        [
          ["tamper", iso(0), iso(40), 1],
          ["tamper", iso(80), iso(80), 1],
        ],
      );
    }));

  void it("a rule's update and an operator's decision on the same incident both land, one after the other", () =>
    withEngine({}, async ({ incidents }) => {
      const raised = await incidents.create({
        cameraId: "door",
        rule: "door-watch",
        zone: "z",
        objects: [{ label: "person", score: 0.7, box: { x1: 0, y1: 0, x2: 0.1, y2: 0.1 }, track_id: 1 }],
        startedAt: T0,
        lastSeenAt: T0,
        summary: "Person in restricted zone z",
        nextStep: "notify",
      });
      const joined = [
        ...raised.objects,
        { label: "person", score: 0.9, box: { x1: 0.2, y1: 0, x2: 0.3, y2: 0.1 }, track_id: 2 },
      ];
      const [updated, decided] = await Promise.all([
        incidents.update(raised.id, { objects: joined, lastSeenAt: T0 + 5000, confidence: 0.9 }),
        incidents.decide(raised.id, { action: "escalate", actor: "otto" }),
      ]);
      assert.deepEqual([updated?.version, decided.version], [2, 3]);
      const stored = await incidents.get(raised.id);
      assert.equal(stored?.status, "escalated");
      assert.equal(stored?.objects.length, 2, "the decision kept the rule's update");
      assert.equal(stored?.confidence, 0.9);
      assert.equal(stored?.last_seen_at, new Date(T0 + 5000).toISOString());
      assert.equal(await incidents.update("no-such-id", { lastSeenAt: T0 }), undefined);
    }));
});
