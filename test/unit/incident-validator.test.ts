import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Incident, IncidentStatus, NextStep } from "../../src/contract/incident.js";
import { validateIncident } from "../../src/incidents/incident-validator.js";

const STATUSES: IncidentStatus[] = [
  "open",
  "monitoring",
  "dismissed",
  "escalated",
  "dispatch_pending_review",
  "dispatch_authorized",
  "closed",
];
const make = (status: IncidentStatus, next_step: NextStep, confidence: number): Incident => ({
  id: "i",
  version: 1,
  camera_id: "lobby",
  rule: "face_present",
  zone: null,
  status,
  confidence,
  objects: [],
  started_at: "2026-11-22T10:00:00.000Z",
  last_seen_at: "2026-11-22T10:00:00.000Z",
  ended_at: null,
  summary: "Face seen on lobby",
  next_step,
  history: [],
});

void describe("incident validator", () => {
  void it("never recommends more than monitor below the minimum confidence, nor dispatch before approval", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STATUSES),
        fc.constantFrom<NextStep>("monitor", "notify", "dispatch"),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (status, step, confidence) => {
          const v = validateIncident(make(status, step, confidence), { minConfidence: 0.5 });
          if (confidence < 0.5 && v.next_step !== "monitor") return false;
          if (v.next_step === "dispatch" && status !== "dispatch_authorized") return false;
          return true;
        },
      ),
    );
  });

  void it("leaves a valid recommendation alone and drops an unmatched identity claim", () => {
    const ok = make("dispatch_authorized", "dispatch", 0.9);
    assert.equal(validateIncident(ok, { minConfidence: 0.5 }), ok);
    const claimed = { ...make("open", "monitor", 0.9), identity: "Jane Doe" } as unknown as Incident;
    assert.equal("identity" in validateIncident(claimed, { minConfidence: 0.5 }), false);
  });

  void it("keeps a watchlist identity only on a watchlist_face incident at or above the threshold; otherwise drops it and the name", () => {
    const named = (rule: string, similarity: number): Incident => ({
      ...make("open", "notify", 0.9),
      rule,
      summary: "Watchlist match: Jane Roe on camera door",
      identity: { person_id: "p-1", name: "Jane Roe", similarity },
    });
    const policy = { minConfidence: 0.5, watchlistThreshold: 0.6 };
    assert.deepEqual(validateIncident(named("watchlist_face", 0.6), policy).identity?.name, "Jane Roe");
    for (const [rule, similarity, p] of [
      ["watchlist_face", 0.59, policy],
      ["unknown_face", 0.9, policy],
      ["watchlist_face", 0.9, { minConfidence: 0.5 }],
    ] as const) {
      const v = validateIncident(named(rule, similarity), p);
      assert.equal(v.identity, undefined, `${rule} ${similarity}`);
      assert.doesNotMatch(v.summary, /Jane Roe/);
    }
  });
});
