import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Incident } from "../../src/contract/incident.js";
import { isoWeek } from "../../src/incidents/iso-week.js";
import { aggregateWeeks, emptyWeek, foldChange, weekOf, type WeeklyKpiAggregate } from "../../src/incidents/kpi-weekly.js";
import { applyDecision, DECISION_ACTIONS, DISMISS_REASONS } from "../../src/incidents/lifecycle.js";

const DAY = 86_400_000;

function incident(id: string, startedAt: number, camera: string, zone: string | null): Incident {
  const at = new Date(startedAt).toISOString();
  return { id, version: 1, camera_id: camera, rule: zone ? `${zone}-rule` : "tamper", zone, status: "open", confidence: 0.9, objects: [], started_at: at, last_seen_at: at, ended_at: null, summary: "x", next_step: "monitor", history: [{ at, actor: "system", action: "created", before: null, after: "open" }] };
}

const canon = (weeks: Map<string, WeeklyKpiAggregate>) =>
  new Map([...weeks].filter(([, w]) => w.total > 0).map(([k, w]) => [k, { ...w, fatigue_sum: Math.round(w.fatigue_sum * 1e9) / 1e9 }]));

void describe("ISO weeks", () => {
  void it("knows the year boundaries", () => {
    assert.equal(isoWeek(Date.parse("2026-11-16T00:00:00Z")).key, "2026-W47");
    assert.equal(isoWeek(Date.parse("2026-11-22T23:59:59.999Z")).key, "2026-W47");
    assert.equal(isoWeek(Date.parse("2026-11-23T00:00:00Z")).key, "2026-W48");
    assert.equal(isoWeek(Date.parse("2021-01-03T12:00:00Z")).key, "2020-W53");
    assert.equal(isoWeek(Date.parse("2024-12-30T12:00:00Z")).key, "2025-W01");
    assert.equal(isoWeek(Date.parse("2026-01-01T00:00:00Z")).key, "2026-W01");
  });

  void it("every instant lies in its week, which starts on a Monday at midnight UTC and lasts 7 days", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("1990-01-01"), max: Date.parse("2100-01-01") }), (ms) => {
        const w = isoWeek(ms);
        assert.ok(w.start <= ms && ms < w.end);
        assert.equal(w.end - w.start, 7 * DAY);
        assert.equal(new Date(w.start).getUTCDay(), 1);
        assert.equal(isoWeek(w.start).key, w.key);
        assert.equal(isoWeek(w.end - 1).key, w.key);
      }),
    );
  });
});

void describe("weekly KPI fold", () => {
  void it("folding each change (remove the old version, add the new) equals aggregating the final incidents from scratch", () => {
    const arbOps = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant("create" as const), day: fc.integer({ min: 0, max: 20 }), camera: fc.constantFrom("lobby", "yard"), zone: fc.constantFrom<string | null>("door", "lane", null) }),
        fc.record({ kind: fc.constant("decide" as const), target: fc.nat(), action: fc.constantFrom(...DECISION_ACTIONS, "approve" as const), reason: fc.constantFrom(...DISMISS_REASONS), afterS: fc.integer({ min: 0, max: 3600 }) }),
      ),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arbOps, (ops) => {
        const current = new Map<string, Incident>();
        let weeks = new Map<string, WeeklyKpiAggregate>();
        const change = (previous: Incident | undefined, next: Incident) => {
          const key = weekOf(next);
          weeks.set(key, foldChange(weeks.get(key) ?? emptyWeek(Date.parse(next.started_at)), previous, next));
          current.set(next.id, next);
        };
        ops.forEach((op, n) => {
          if (op.kind === "create") {
            change(undefined, incident(`i${n}`, Date.parse("2026-11-10T08:00:00Z") + op.day * DAY + n * 1000, op.camera, op.zone));
            return;
          }
          const ids = [...current.keys()];
          const target = current.get(ids[op.target % Math.max(1, ids.length)] ?? "");
          if (!target) return;
          const at = new Date(Date.parse(target.history.at(-1)?.at ?? target.started_at) + op.afterS * 1000).toISOString();
          let next: Incident;
          try {
            next = applyDecision(target, { action: op.action, actor: "otto", at, reason: op.action === "dismiss" ? op.reason : undefined });
          } catch {
            return; // an illegal step changes nothing
          }
          change(target, next);
        });
        weeks = canon(weeks);
        assert.deepEqual(weeks, canon(aggregateWeeks([...current.values()])));
      }),
    );
  });
});
