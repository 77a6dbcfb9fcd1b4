// The zone rules on recorded detection sequences (test/fixtures/sequences, built from geometry
// with detector noise by scripts/make-detection-sequences.ts), through the real config loader,
// tracker, zones, grouping, IncidentService, LevelDB store and snapshot files.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createHash } from "node:crypto";
import { RuleEngine } from "../../src/analytics/rule-engine.js";
import { ruleEngineSetup } from "../../src/analytics/rule-engine-setup.js";
import type { VigilEvents } from "../../src/contract/events.js";
import type { Incident } from "../../src/contract/incident.js";
import { EventBus } from "../../src/core/event-bus.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { SnapshotStore } from "../../src/incidents/snapshot-store.js";
import { detectionResults, loadSequence, photoFrames, sequenceConfig } from "../helpers/rule-sequences.js";
import { openStoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

interface Replay {
  readonly incidents: Incident[];
  /** Every incident.created / incident.updated the service announced, in order. */
  readonly changes: Array<{ type: string; incident: Incident }>;
  readonly dataDir: string;
  readonly firstAt: number;
}

function replay(name: string, check: (r: Replay) => Promise<void>): Promise<void> {
  return replayWith(name, {}, check);
}

async function replayWith(
  name: string,
  rules: Record<string, unknown>,
  check: (r: Replay) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `vigil-rules-${name}-`));
  const stack = await openStoreStack(dir);
  try {
    const seq = await loadSequence(name);
    const config = sequenceConfig(seq, dir, rules);
    let clock = seq.frames[0]?.at ?? 0;
    const bus = new EventBus<VigilEvents>((event, err) =>
      assert.fail(`listener of ${String(event)} threw: ${String(err)}`),
    );
    const changes: Replay["changes"] = [];
    bus.on("incident.changed", (c) => changes.push(c));
    const incidents = new IncidentService(
      stack.db,
      stack.outbox,
      bus,
      silentLogger(),
      undefined,
      { minConfidence: 0.5 },
      () => clock,
    );
    const engine = new RuleEngine(ruleEngineSetup(config), {
      bus,
      incidents,
      snapshots: new SnapshotStore(dir),
      frames: await photoFrames(() => clock),
      log: silentLogger(),
      now: () => clock,
    });
    await engine.start();
    for (const result of detectionResults(seq)) {
      clock = result.capturedAt;
      bus.emit("detections", result);
      await engine.drain();
    }
    clock += config.rules.group_window_s * 1000 + 1000;
    engine.sweep(clock);
    await engine.stop();
    await check({
      incidents: (await incidents.list({ limit: 100 })).incidents,
      changes,
      dataDir: dir,
      firstAt: seq.frames[0]?.at ?? 0,
    });
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

void describe("zone rules on recorded detection sequences", () => {
  void it("a person walking through a restricted zone (missed frames, occluded inside) makes exactly one incident", () =>
    replay("walk-through", async ({ incidents, changes, dataDir }) => {
      assert.equal(incidents.length, 1, JSON.stringify(incidents.map((i) => i.objects)));
      const [i] = incidents;
      assert.ok(i);
      assert.equal(i.rule, "walk-through");
      assert.equal(i.zone, "server-door");
      // The occlusion ended the first track; the person came back as a new track and joined the incident.
      assert.equal(new Set(i.objects.map((o) => o.track_id)).size, 2);
      assert.ok(i.objects.every((o) => o.label === "person"));
      assert.equal(i.snapshots?.length, 2, "one snapshot when raised, one when the second track joined");
      assert.ok(i.confidence >= 0.5);
      assert.equal(i.next_step, "notify");
      assert.match(i.summary, /^Person in restricted zone server-door on camera yard$/);
      assert.notEqual(i.ended_at, null, "ended once the person had gone for the group window");
      assert.ok(Date.parse(i.last_seen_at) > Date.parse(i.started_at));
      assert.equal(changes.filter((c) => c.type === "incident.created").length, 1);
      const snap = i.snapshots?.[0];
      assert.ok(snap, "a snapshot taken when it was raised");
      const bytes = await readFile(join(dataDir, snap.file));
      assert.equal(createHash("sha256").update(bytes).digest("hex"), snap.sha256);
      assert.equal(bytes.byteLength, snap.bytes);
    }));

  void it("a loiterer past the threshold makes one loitering incident, started once the threshold passed", () =>
    replay("loiterer", async ({ incidents, firstAt }) => {
      assert.equal(incidents.length, 1);
      const [i] = incidents;
      assert.ok(i);
      assert.equal(i.zone, "benches");
      assert.match(i.summary, /loitering in zone benches/);
      assert.ok(Date.parse(i.started_at) - firstAt >= 30_000, "not before 30 s in the zone");
    }));

  void it("without the group window the same walk-through would have made two", () =>
    replayWith("walk-through", { group_window_s: 0 }, async ({ incidents }) => {
      assert.equal(incidents.length, 2);
    }));

  void it("a passer-by crossing the loitering zone makes none", () =>
    replay("passer-by", async ({ incidents, changes }) => {
      assert.equal(incidents.length, 0);
      assert.equal(changes.length, 0);
    }));

  void it("a car parked in the fire lane makes one incident and no re-alert while it stays; a car driving through makes none", () =>
    replay("parked-car", async ({ incidents, changes, firstAt }) => {
      assert.equal(incidents.length, 1);
      const [i] = incidents;
      assert.ok(i);
      assert.equal(i.zone, "fire-lane");
      assert.match(i.summary, /^Car parked in no-parking zone fire-lane/);
      assert.ok(Date.parse(i.started_at) - firstAt >= 60_000);
      assert.equal(changes.filter((c) => c.type === "incident.created").length, 1, "one alert for the whole stay");
      assert.ok(Date.parse(i.last_seen_at) - firstAt > 250_000, "last seen near the end of its stay");
    }));

  void it("flickering detections shorter than min_frames make none", () =>
    replay("flicker", async ({ incidents }) => {
      assert.equal(incidents.length, 0);
    }));
});
