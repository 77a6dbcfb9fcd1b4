import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Incident, IncidentHistoryEntry, IncidentStatus } from "../../src/contract/incident.js";
import { kpiSummary } from "../../src/incidents/kpi.js";

const NOW = Date.parse("2026-11-22T12:00:00.000Z");
const iso = (offsetS: number, base: string): string => new Date(Date.parse(base) + offsetS * 1000).toISOString();

function incident(
  id: string,
  camera: string,
  started: string,
  status: IncidentStatus,
  steps: Array<[string, number, IncidentStatus]>,
  reason?: "weather" | "normal_behavior",
): Incident {
  const history: IncidentHistoryEntry[] = [
    { at: started, actor: "system", action: "created", before: null, after: "open" },
  ];
  let before: IncidentStatus = "open";
  for (const [action, afterS, after] of steps) {
    history.push({ at: iso(afterS, started), actor: "otto", action, before, after });
    before = after;
  }
  return {
    id,
    version: history.length,
    camera_id: camera,
    rule: "face_present",
    zone: camera === "lobby" ? "entrance" : null,
    status,
    confidence: 0.9,
    objects: [],
    started_at: started,
    last_seen_at: started,
    ended_at: null,
    summary: "",
    next_step: "monitor",
    ...(reason ? { dismiss_reason: reason } : {}),
    history,
  };
}

// Four incidents in the last 7 days, one older. Hand-computed expectations below.
const fixture: Incident[] = [
  incident("a", "lobby", "2026-11-21T10:00:00.000Z", "dismissed", [["dismiss", 60, "dismissed"]], "weather"), // decided after 60 s; fatigue 1 - 60/600 = 0.9
  incident("b", "lobby", "2026-11-21T11:00:00.000Z", "dispatch_pending_review", [
    ["escalate", 120, "escalated"],
    ["request_dispatch", 300, "dispatch_pending_review"],
  ]), // 120 s
  incident("c", "yard", "2026-11-22T09:00:00.000Z", "dismissed", [["dismiss", 900, "dismissed"]], "normal_behavior"), // 900 s; fatigue 0
  incident("d", "yard", "2026-11-22T10:00:00.000Z", "open", []), // undecided
  incident("e", "dock", "2026-11-01T10:00:00.000Z", "dismissed", [["dismiss", 10, "dismissed"]], "weather"), // outside 7d
];

void describe("KPI summary", () => {
  void it("matches the hand-computed figures for the last 7 days", () => {
    const k = kpiSummary(fixture, "7d", NOW);
    assert.equal(k.total, 4);
    assert.deepEqual(k.by_status, { dismissed: 2, dispatch_pending_review: 1, open: 1 });
    assert.equal(k.dismissed_rate, 0.5);
    assert.equal(k.escalation_rate, 0.25);
    assert.deepEqual(k.time_to_decision_s, { decided: 3, mean: 360, p90: 900 });
    assert.deepEqual(k.dismiss_reasons, { weather: 1, normal_behavior: 1 });
    assert.deepEqual(k.top_cameras, [
      { camera_id: "lobby", incidents: 2 },
      { camera_id: "yard", incidents: 2 },
    ]);
    assert.deepEqual(k.top_zones, [{ zone: "entrance", incidents: 2 }]);
    assert.equal(k.alert_fatigue, 0.225);
    assert.deepEqual(k.daily, [
      { day: "2026-11-21", incidents: 2, dismissed: 1, escalated: 1 },
      { day: "2026-11-22", incidents: 2, dismissed: 1, escalated: 0 },
    ]);
  });

  void it("all time includes the old incident; an empty range is all zeros", () => {
    assert.equal(kpiSummary(fixture, "all", NOW).total, 5);
    assert.equal(kpiSummary(fixture, "all", NOW).from, null);
    const empty = kpiSummary([], "30d", NOW);
    assert.equal(empty.total, 0);
    assert.equal(empty.alert_fatigue, 0);
    assert.deepEqual(empty.time_to_decision_s, { decided: 0, mean: null, p90: null });
  });
});
