import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Incident } from "../../src/contract/incident.js";
import { isoWeek } from "../../src/incidents/iso-week.js";
import type { KpiFigures } from "../../src/contract/kpi.js";
import {
  bucketOf,
  SKETCH_ALPHA,
  SKETCH_MIN_S,
  sketchAdd,
  sketchQuantile,
  type SketchBuckets,
} from "../../src/incidents/decision-sketch.js";
import { KPI_RANGES, type KpiRange, kpiSummary, percentile } from "../../src/incidents/kpi.js";
import {
  type DayRollup,
  foldChange,
  rollupDays,
  summaryFromRollups,
  weeksFromRollups,
} from "../../src/incidents/kpi-rollup.js";
import { applyDecision, DECISION_ACTIONS, DISMISS_REASONS } from "../../src/incidents/lifecycle.js";

const DAY = 86_400_000;

function incident(id: string, startedAt: number, camera: string, zone: string | null): Incident {
  const at = new Date(startedAt).toISOString();
  return {
    id,
    version: 1,
    camera_id: camera,
    rule: zone ? `${zone}-rule` : "tamper",
    zone,
    status: "open",
    confidence: 0.9,
    objects: [],
    started_at: at,
    last_seen_at: at,
    ended_at: null,
    summary: "x",
    next_step: "monitor",
    history: [{ at, actor: "system", action: "created", before: null, after: "open" }],
  };
}

const sortedDays = (days: Map<string, DayRollup>) =>
  new Map([...days].filter(([, d]) => d.total > 0).sort((a, b) => a[0].localeCompare(b[0])));

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

/** The sketch's p90 is within its documented error of the exact nearest-rank p90. */
function closeP90(sketch: number | null, exact: number | null): void {
  if (exact === null || sketch === null) return assert.equal(sketch, exact);
  assert.ok(
    Math.abs(sketch - exact) <= Math.max(SKETCH_ALPHA * exact * 1.0001, SKETCH_MIN_S) + 0.0005,
    `p90 ${sketch} vs exact ${exact}`,
  );
}

/** Rollup figures against the full scan's: exact, except the p90 (sketch) and float rounding of mean and fatigue. */
function sameFigures(rolled: KpiFigures, scanned: KpiFigures): void {
  const { time_to_decision_s: rt, alert_fatigue: rf, ...rest } = rolled;
  const { time_to_decision_s: st, alert_fatigue: sf, ...scannedRest } = scanned;
  assert.deepEqual(rest, scannedRest);
  assert.equal(rt.decided, st.decided);
  if (st.mean === null) assert.equal(rt.mean, null);
  else assert.ok(Math.abs((rt.mean ?? NaN) - st.mean) <= 0.1001, `mean ${rt.mean} vs ${st.mean}`);
  closeP90(rt.p90, st.p90);
  assert.ok(Math.abs(rf - sf) <= 0.0011, `fatigue ${rf} vs ${sf}`);
}

void describe("decision-time sketch", () => {
  void it("answers every nearest-rank percentile within 1% (or 0.01 s) of the exact one, exactly when a bucket holds one value", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 * 86_400_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (ms, p) => {
          const buckets: SketchBuckets = {};
          for (const t of ms) sketchAdd(buckets, t, 1);
          const merged = new Map(Object.entries(buckets).map(([k, v]) => [Number(k), v]));
          const exact = percentile(
            [...ms].sort((a, b) => a - b).map((t) => t / 1000),
            p,
          );
          closeP90(sketchQuantile(merged, p), exact);
        },
      ),
    );
    const one: SketchBuckets = {};
    sketchAdd(one, 900_000, 1);
    assert.equal(sketchQuantile(new Map([[bucketOf(900), one[String(bucketOf(900))] ?? [0, 0]]]), 90), 900);
  });

  void it("taking a value out leaves what adding the rest gives", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 50 }),
        fc.nat(),
        (ms, pick) => {
          const all: SketchBuckets = {};
          for (const t of ms) sketchAdd(all, t, 1);
          const removed = ms[pick % ms.length] ?? 0;
          sketchAdd(all, removed, -1);
          const rest: SketchBuckets = {};
          const others = [...ms];
          others.splice(pick % ms.length, 1);
          for (const t of others) sketchAdd(rest, t, 1);
          assert.deepEqual(all, rest);
        },
      ),
    );
  });
});

void describe("KPI day rollups", () => {
  void it("over random histories (creates, rule updates, decisions, status changes, retention deletes) give the full scan's KPIs, per range and per week", () => {
    const base = Date.parse("2026-10-01T08:00:00Z");
    const arbOps = fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant("create" as const),
          day: fc.integer({ min: 0, max: 45 }),
          ms: fc.integer({ min: 0, max: DAY - 1 }),
          camera: fc.constantFrom("lobby", "yard", "dock"),
          zone: fc.constantFrom<string | null>("door", "lane", null),
        }),
        fc.record({
          kind: fc.constant("decide" as const),
          target: fc.nat(),
          action: fc.constantFrom(...DECISION_ACTIONS, "approve" as const),
          reason: fc.constantFrom(...DISMISS_REASONS),
          afterMs: fc.integer({ min: 0, max: 4 * 3_600_000 }),
        }),
        fc.record({
          kind: fc.constant("update" as const),
          target: fc.nat(),
          afterMs: fc.integer({ min: 0, max: 600_000 }),
        }),
        fc.record({ kind: fc.constant("delete" as const), target: fc.nat() }),
      ),
      { maxLength: 80 },
    );
    const arbNow = fc.integer({ min: 0, max: 60 * DAY });
    fc.assert(
      fc.property(arbOps, fc.array(arbNow, { minLength: 1, maxLength: 3 }), (ops, nows) => {
        const current = new Map<string, Incident>();
        const days = new Map<string, DayRollup>();
        const change = (previous: Incident | undefined, next: Incident | undefined) => {
          for (const [k, d] of foldChange(days, previous, next)) {
            if (d.total === 0) days.delete(k);
            else days.set(k, d);
          }
          if (next) current.set(next.id, next);
          else if (previous) current.delete(previous.id);
        };
        ops.forEach((op, n) => {
          if (op.kind === "create") {
            change(undefined, incident(`i${n}`, base + op.day * DAY + op.ms, op.camera, op.zone));
            return;
          }
          const ids = [...current.keys()];
          const target = current.get(ids[op.target % Math.max(1, ids.length)] ?? "");
          if (!target) return;
          if (op.kind === "delete") {
            // Retention deletes finished incidents only; the fold must not care which.
            change(target, undefined);
            return;
          }
          const at = new Date(Date.parse(target.history.at(-1)?.at ?? target.started_at) + op.afterMs).toISOString();
          if (op.kind === "update") {
            change(target, { ...target, version: target.version + 1, last_seen_at: at, ended_at: at });
            return;
          }
          let next: Incident;
          try {
            next = applyDecision(target, {
              action: op.action,
              actor: "otto",
              at,
              reason: op.action === "dismiss" ? op.reason : undefined,
            });
          } catch {
            return; // an illegal step changes nothing
          }
          change(target, next);
        });
        const final = [...current.values()];
        assert.deepEqual(sortedDays(days), sortedDays(rollupDays(final)), "folded day by day = built from scratch");
        for (const offset of nows) {
          const now = base + offset;
          for (const range of Object.keys(KPI_RANGES) as KpiRange[]) {
            const rolled = summaryFromRollups(
              (k) => days.get(k),
              () => days.values(),
              range,
              now,
            );
            const scanned = kpiSummary(final, range, now);
            const { range: _a, from: rf, to: rt, daily: rd, ...rFig } = rolled;
            const { range: _b, from: sf, to: st, daily: sd, ...sFig } = scanned;
            assert.deepEqual([rf, rt, rd], [sf, st, sd], range);
            sameFigures(rFig, sFig);
          }
        }
        for (const w of weeksFromRollups(days.values())) {
          const inWeek = final.filter(
            (i) => Date.parse(i.started_at) >= Date.parse(w.from) && Date.parse(i.started_at) < Date.parse(w.to),
          );
          const { range: _r, from: _f, to: _t, daily: _d, ...scanned } = kpiSummary(inWeek, "all", Date.parse(w.to));
          const { week: _w, from: _wf, to: _wt, by_rule, transitions, ...figures } = w;
          sameFigures(figures, scanned);
          assert.equal(
            Object.values(by_rule).reduce((a, b) => a + b, 0),
            inWeek.length,
          );
          assert.equal(transitions.created, inWeek.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
