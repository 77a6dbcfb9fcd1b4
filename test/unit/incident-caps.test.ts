// Bounded incidents (issue 22): past its duration or object cap an incident ends and a linked
// continuation opens, so a scene that never empties is a chain of bounded incidents.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  closeExpired,
  type GroupAction,
  groupCandidates,
  type GroupingState,
  type IncidentCaps,
  type IncidentGroup,
  NO_GROUPS,
} from "../../src/analytics/grouping.js";
import type { RuleCandidate } from "../../src/analytics/rules/candidate.js";

const WINDOW = 30_000;
const candidate = (zone: string, trackId: number, at: number): RuleCandidate => ({
  rule: "benches",
  cameraId: "yard",
  zone,
  subject: "",
  trackId,
  object: { label: "person", score: 0.8, box: { x1: 0.4, y1: 0.4, x2: 0.5, y2: 0.7 }, track_id: trackId },
  at,
  confidence: 0.8,
  nextStep: "monitor",
  summary: "Person loitering",
});

function run(stream: readonly RuleCandidate[], caps: IncidentCaps): GroupAction[] {
  let state: GroupingState = NO_GROUPS;
  const actions: GroupAction[] = [];
  for (const c of stream) {
    const g = groupCandidates(state, [c], WINDOW, caps);
    const e = closeExpired(g.state, c.at, WINDOW);
    state = e.state;
    actions.push(...g.actions, ...e.actions);
  }
  actions.push(...closeExpired(state, Number.POSITIVE_INFINITY, WINDOW).actions);
  return actions;
}

const arbCaps = fc.record({
  maxDurationMs: fc.integer({ min: 1_000, max: 600_000 }),
  maxObjects: fc.integer({ min: 1, max: 8 }),
});
/** A busy scene: many tracks, mostly within the window of each other, sometimes a lull. */
const arbBusy = fc
  .array(
    fc.record({
      zone: fc.constantFrom("a", "b"),
      track: fc.integer({ min: 1, max: 40 }),
      gap: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 60_000 })),
    }),
    { maxLength: 150 },
  )
  .map((items) => {
    let at = 0;
    return items.map((i) => candidate(i.zone, i.track, (at += i.gap)));
  });

void describe("incident caps", () => {
  void it("no incident lists more objects than the cap or spans longer than the duration cap", () => {
    fc.assert(
      fc.property(arbBusy, arbCaps, (stream, caps) => {
        for (const a of run(stream, caps)) {
          assert.ok(a.group.objects.size <= caps.maxObjects, `${a.group.objects.size} objects > ${caps.maxObjects}`);
          assert.ok(a.group.tracks.size <= caps.maxObjects, "tracks bounded with the objects");
          for (const seen of a.group.carried.values())
            assert.ok(a.group.lastSeenAt - seen <= WINDOW, "a carried track was seen within the window");
          assert.ok(a.group.lastSeenAt - a.group.startedAt < caps.maxDurationMs, "spans less than the duration cap");
        }
      }),
    );
  });

  void it("a capped close is followed at once by its continuation, linked, same key; groups open and close once", () => {
    fc.assert(
      fc.property(arbBusy, arbCaps, (stream, caps) => {
        const actions = run(stream, caps);
        const open = new Map<string, number>();
        const closed = new Set<number>();
        actions.forEach((a, i) => {
          if (a.kind === "open") {
            assert.equal(open.has(a.group.key), false, "two open groups for one key");
            open.set(a.group.key, a.group.id);
            return;
          }
          assert.equal(open.get(a.group.key), a.group.id, `${a.kind} of a group that is not open`);
          if (a.kind !== "close") return;
          assert.ok(!closed.has(a.group.id));
          closed.add(a.group.id);
          open.delete(a.group.key);
          const next = actions[i + 1];
          if (a.continued) {
            assert.equal(next?.kind, "open", "continuation opens right after");
            assert.equal(next.group.continues, a.group.id);
            assert.equal(next.group.key, a.group.key);
          }
        });
        // Continuations only ever follow a capped close.
        const continued = new Set(actions.flatMap((a) => (a.kind === "close" && a.continued ? [a.group.id] : [])));
        for (const a of actions)
          if (a.kind === "open" && a.group.continues !== undefined) assert.ok(continued.has(a.group.continues));
        assert.equal(open.size, 0);
      }),
    );
  });

  void it("every object the rule saw is listed in exactly the incident it joined (none lost at a cap)", () => {
    fc.assert(
      fc.property(arbBusy, arbCaps, (stream, caps) => {
        const actions = run(stream, caps);
        const finals = new Map<number, IncidentGroup>();
        for (const a of actions) if (a.kind === "close") finals.set(a.group.id, a.group);
        // Each track's first sighting in a (zone) chain is listed in some incident of that zone.
        for (const zone of ["a", "b"]) {
          const seen = new Set(stream.filter((c) => c.zone === zone).map((c) => c.trackId));
          const listed = new Set(
            [...finals.values()].filter((g) => g.first.zone === zone).flatMap((g) => [...g.objects.keys()]),
          );
          for (const t of seen) assert.ok(listed.has(t), `track ${t} in zone ${zone} listed nowhere`);
        }
      }),
    );
  });

  void it("a scene that never empties: 20 people in 6 minutes make a chain of incidents of at most 5 objects", () => {
    const caps: IncidentCaps = { maxDurationMs: 3_600_000, maxObjects: 5 };
    // Everyone stays: every 18 s a new person arrives, and all present are seen every 2 s.
    const stream: RuleCandidate[] = [];
    for (let at = 0; at < 360_000; at += 2_000)
      for (let t = 1; t <= Math.floor(at / 18_000) + 1; t++) stream.push(candidate("a", t, at));
    const actions = run(stream, caps);
    const opens = actions.filter((a) => a.kind === "open");
    assert.equal(opens.length, 4, "20 people, 5 per incident");
    assert.deepEqual(
      opens.map((a) => a.group.continues),
      [undefined, 1, 2, 3],
    );
    for (const a of actions) assert.ok(a.group.objects.size <= 5);
  });

  void it("a parked car past the duration cap: one continuation per cap, each listing the car", () => {
    const caps: IncidentCaps = { maxDurationMs: 600_000, maxObjects: 25 };
    const stream = Array.from({ length: 181 }, (_, i) => candidate("a", 7, i * 10_000)); // 30 minutes
    const opens = run(stream, caps).filter((a) => a.kind === "open");
    assert.equal(opens.length, 4, "0, 10, 20 and 30 minutes");
    for (const o of opens) assert.deepEqual([...o.group.objects.keys()], [7]);
  });
});
