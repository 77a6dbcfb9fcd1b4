import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { IncidentStatus } from "../../src/contract/incident.js";
import { type IncidentFootprint, RETAINABLE, retentionPlan } from "../../src/incidents/retention.js";

const STATUSES: IncidentStatus[] = [
  "open",
  "monitoring",
  "dismissed",
  "escalated",
  "dispatch_pending_review",
  "dispatch_authorized",
  "closed",
];
const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const item = fc.record({
  id: fc.uuid(),
  status: fc.constantFrom(...STATUSES),
  lastChange: fc.integer({ min: NOW - 400 * DAY, max: NOW }),
  bytes: fc.integer({ min: 100, max: 5000 }),
});

void describe("incident retention plan", () => {
  void it("deletes only finished incidents: never open or under review, whatever the budget", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(item, { selector: (i) => i.id, maxLength: 60 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 100_000 }),
        (items, days, maxBytes) => {
          const plan = retentionPlan(items, { maxAgeDays: days, maxBytes }, NOW);
          const byId = new Map(items.map((i) => [i.id, i]));
          const chosen = [...plan.byAge, ...plan.byBudget];
          if (new Set(chosen).size !== chosen.length) return false;
          if (!chosen.every((id) => RETAINABLE.has(byId.get(id)?.status ?? "open"))) return false;
          if (days > 0 && !plan.byAge.every((id) => (byId.get(id)?.lastChange ?? NOW) < NOW - days * DAY)) return false;
          // Over budget afterwards only when every finished incident is gone already.
          const left = items.filter((i) => !chosen.includes(i.id));
          return maxBytes === 0 || plan.bytesAfter <= maxBytes || left.every((i) => !RETAINABLE.has(i.status));
        },
      ),
    );
  });

  void it("takes the oldest finished ones first for the budget", () => {
    const items: IncidentFootprint[] = [
      { id: "new-closed", status: "closed", lastChange: NOW - 1 * DAY, bytes: 100 },
      { id: "old-closed", status: "closed", lastChange: NOW - 5 * DAY, bytes: 100 },
      { id: "older-open", status: "open", lastChange: NOW - 9 * DAY, bytes: 100 },
    ];
    assert.deepEqual(retentionPlan(items, { maxAgeDays: 0, maxBytes: 250 }, NOW), {
      byAge: [],
      byBudget: ["old-closed"],
      bytesAfter: 200,
    });
    assert.deepEqual(retentionPlan(items, { maxAgeDays: 3, maxBytes: 0 }, NOW).byAge, ["old-closed"]);
  });
});
