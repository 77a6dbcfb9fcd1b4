import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  closeExpired,
  type GroupAction,
  groupCandidates,
  type GroupingState,
  NO_GROUPS,
} from "../../src/analytics/grouping.js";
import type { RuleCandidate } from "../../src/analytics/rules/candidate.js";

const WINDOW = 30_000;
const candidate = (zone: string, trackId: number, at: number, score = 0.8): RuleCandidate => ({
  rule: "door",
  cameraId: "yard",
  zone,
  subject: "",
  trackId,
  object: { label: "person", score, box: { x1: 0.4, y1: 0.4, x2: 0.5, y2: 0.7 }, track_id: trackId },
  at,
  confidence: score,
  nextStep: "notify",
  summary: "Person in restricted zone",
});

const arbStream = fc
  .array(
    fc.record({
      zone: fc.constantFrom("a", "b"),
      track: fc.integer({ min: 1, max: 6 }),
      gap: fc.integer({ min: 0, max: 60_000 }),
    }),
    { maxLength: 60 },
  )
  .map((items) => {
    let at = 0;
    return items.map((i) => candidate(i.zone, i.track, (at += i.gap)));
  });

function run(stream: readonly RuleCandidate[]): GroupAction[] {
  let state: GroupingState = NO_GROUPS;
  const actions: GroupAction[] = [];
  for (const c of stream) {
    const g = groupCandidates(state, [c], WINDOW);
    const e = closeExpired(g.state, c.at, WINDOW);
    state = e.state;
    actions.push(...g.actions, ...e.actions);
  }
  actions.push(...closeExpired(state, Number.POSITIVE_INFINITY, WINDOW).actions);
  return actions;
}

void describe("incident grouping", () => {
  void it("opens each group once, closes it once, never two open for one key, joins only open groups", () => {
    fc.assert(
      fc.property(arbStream, (stream) => {
        const open = new Map<string, number>();
        const closed = new Set<number>();
        for (const a of run(stream)) {
          if (a.kind === "open") {
            assert.equal(open.has(a.group.key), false, "two open groups for one key");
            open.set(a.group.key, a.group.id);
          } else {
            assert.equal(open.get(a.group.key), a.group.id, `${a.kind} of a group that is not open`);
            if (a.kind === "close") {
              assert.ok(!closed.has(a.group.id));
              closed.add(a.group.id);
              open.delete(a.group.key);
            }
          }
        }
        assert.equal(open.size, 0, "every group closed in the end");
      }),
    );
  });

  void it("one incident for any number of tracks of one zone that follow each other within the window", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ track: fc.integer({ min: 1, max: 50 }), gap: fc.integer({ min: 0, max: WINDOW }) }), {
          minLength: 1,
          maxLength: 80,
        }),
        (items) => {
          let at = 0;
          const actions = run(items.map((i) => candidate("a", i.track, (at += i.gap))));
          assert.equal(actions.filter((a) => a.kind === "open").length, 1);
          const joins = actions.filter((a) => a.kind === "join").length;
          assert.equal(
            joins,
            new Set(items.map((i) => i.track)).size - 1,
            "a join per new track, none for a track seen again",
          );
        },
      ),
    );
  });

  void it("a track that stays keeps its group open however long, with no window at all", () => {
    const stream = Array.from({ length: 100 }, (_, i) => candidate("a", 7, i * 60_000));
    let state: GroupingState = NO_GROUPS;
    const actions: GroupAction[] = [];
    for (const c of stream) {
      const g = groupCandidates(state, [c], 0);
      const e = closeExpired(g.state, c.at, 0);
      state = e.state;
      actions.push(...g.actions, ...e.actions);
    }
    assert.deepEqual(
      actions.map((a) => a.kind),
      ["open"],
    );
  });

  void it("keeps each object's best score and the group's best confidence; a new group after the window", () => {
    const actions = run([
      candidate("a", 1, 0, 0.6),
      candidate("a", 1, 1000, 0.9),
      candidate("a", 1, 2000, 0.7),
      candidate("a", 2, 3000, 0.5),
      candidate("a", 3, 3000 + WINDOW + 1, 0.8),
    ]);
    assert.deepEqual(
      actions.map((a) => a.kind),
      ["open", "join", "close", "open", "close"],
    );
    const first = actions[2];
    assert.ok(first?.kind === "close");
    assert.deepEqual(
      [...first.group.objects.values()].map((o) => [o.track_id, o.score]),
      [
        [1, 0.9],
        [2, 0.5],
      ],
    );
    assert.equal(first.group.confidence, 0.9);
    assert.equal(first.group.lastSeenAt, 3000);
  });

  void it("events without an object (tamper) group only within the window", () => {
    const event = (at: number): RuleCandidate => ({
      ...candidate("a", 0, at),
      zone: null,
      subject: "tamper",
      object: undefined,
    });
    const actions = run([event(0), event(WINDOW), event(2 * WINDOW + 1)]);
    assert.deepEqual(
      actions.map((a) => a.kind),
      ["open", "close", "open", "close"],
    );
    assert.equal(actions[0]?.group.objects.size, 0);
  });
});
