import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Incident, IncidentStatus } from "../../src/contract/incident.js";
import {
  countersOf,
  entriesOf,
  type IndexFilter,
  type IndexValue,
  indexValue,
  matchesFields,
  matchesIncident,
  planWalk,
  sortKey,
} from "../../src/incidents/incident-index-keys.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const HOUR = 3_600_000;
const STATUSES: IncidentStatus[] = ["open", "dismissed", "closed"];
// Values that would collide in a naive `dim!value!` layout.
const VALUES = ["a", "a!b", "a%21b", "b", "a!"];

const arbIncident = fc
  .record({
    n: fc.integer({ min: 0, max: 1e9 }),
    hour: fc.integer({ min: 0, max: 20 }),
    status: fc.constantFrom(...STATUSES),
    camera: fc.constantFrom(...VALUES),
    rule: fc.constantFrom(...VALUES),
    zone: fc.constantFrom<string | null>(null, ...VALUES),
  })
  .map((r): Incident => {
    const at = new Date(T0 + r.hour * HOUR).toISOString();
    return {
      id: `id-${r.n}`,
      version: 1,
      camera_id: r.camera,
      rule: r.rule,
      zone: r.zone,
      status: r.status,
      confidence: 1,
      objects: [],
      started_at: at,
      last_seen_at: at,
      ended_at: null,
      summary: "",
      next_step: "monitor",
      history: [],
    };
  });
const arbFilter = fc.record({
  status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
  camera: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
  rule: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
  zone: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
  since: fc.option(
    fc.integer({ min: -2, max: 22 }).map((h) => T0 + h * HOUR),
    { nil: undefined },
  ),
  until: fc.option(
    fc.integer({ min: -2, max: 22 }).map((h) => T0 + h * HOUR),
    { nil: undefined },
  ),
  cursorOf: fc.option(fc.nat(), { nil: undefined }),
});

void describe("incident index keys", () => {
  void it("walking the planned range of the sorted entries, newest first, equals filtering every incident", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbIncident, { selector: (i) => i.id, maxLength: 40 }),
        arbFilter,
        (incidents, raw) => {
          const entries = new Map<string, IndexValue>();
          const counts = new Map<string, number>();
          for (const i of incidents) {
            for (const e of entriesOf(i)) entries.set(e.key, indexValue(i));
            for (const [counter, n] of countersOf(i)) counts.set(counter, (counts.get(counter) ?? 0) + n);
          }
          const cursorOf =
            raw.cursorOf === undefined || incidents.length === 0
              ? undefined
              : incidents[raw.cursorOf % incidents.length];
          const f: IndexFilter = { ...raw, cursor: cursorOf ? sortKey(cursorOf) : undefined };
          const expected = incidents
            .filter((i) => matchesIncident(i, f))
            .map(sortKey)
            .sort()
            .reverse();
          const plan = planWalk(f, (c) => counts.get(c) ?? 0);
          const walked = plan
            ? [...entries.keys()]
                .filter((k) => k >= plan.gte && k < plan.lt)
                .sort()
                .reverse()
                .filter((k) => matchesFields(entries.get(k) ?? ["open", "", "", null], f))
                .map((k) => k.slice(plan.prefixLength))
            : [];
          assert.deepEqual(walked, expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  void it("walks the filtered index with the fewest entries", () => {
    const counts = new Map([
      ["n!s!open", 900],
      ["n!c!lobby", 40],
      ["n!r!tamper", 300],
    ]);
    const plan = planWalk({ status: "open", camera: "lobby", rule: "tamper" }, (c) => counts.get(c) ?? 0);
    assert.equal(plan?.gte, "c!lobby!");
    assert.equal(
      planWalk({ status: "open", zone: "none" }, (c) => counts.get(c) ?? 0),
      undefined,
      "a filter nothing matches walks nothing",
    );
    assert.equal(planWalk({}, () => 0)?.gte, "a!");
  });
});
