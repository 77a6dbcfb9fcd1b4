// Weekly KPIs on a real store: a known week of incidents and decisions, figures computed by hand,
// equal to the full-scan summary for that week; kept across a restart and rebuilt from the
// incidents (KPI day rollups); published once per finished week as kpi.weekly on the incidents stream.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Value } from "@sinclair/typebox/value";
import type { VigilEvents } from "../../src/contract/events.js";
import { KpiWeeklyEnvelopeSchema } from "../../src/contract/schemas.js";
import type { Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import { EventBus } from "../../src/core/event-bus.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { kpiSummary } from "../../src/incidents/kpi.js";
import { KpiWeeklyPublisher } from "../../src/incidents/kpi-weekly-publisher.js";
import { KpiRollupStore, ROLLUPS_BUILT } from "../../src/incidents/kpi-rollup-store.js";
import type { WeeklyKpiFigures } from "../../src/contract/kpi.js";
import { openStoreStack, type StoreStack } from "../helpers/store-stack.js";
import { openAuthStack } from "../helpers/auth-stack.js";
import { addUser, bearer, loginOk } from "../helpers/auth-client.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const T = (iso: string) => Date.parse(iso);
const S = 1000;

async function withService<T>(
  dir: string,
  work: (s: {
    stack: StoreStack;
    incidents: IncidentService;
    weekly: KpiRollupStore;
    setClock: (ms: number) => void;
  }) => Promise<T>,
): Promise<T> {
  const stack = await openStoreStack(dir);
  const weekly = new KpiRollupStore(stack.db, silentLogger());
  await weekly.start();
  let clock = 0;
  const incidents = new IncidentService(
    stack.db,
    stack.outbox,
    new EventBus<VigilEvents>(() => {}),
    silentLogger(),
    undefined,
    { minConfidence: 0.5 },
    () => clock,
    weekly,
  );
  try {
    return await work({ stack, incidents, weekly, setClock: (ms) => (clock = ms) });
  } finally {
    await weekly.stop();
    await stack.close();
  }
}

/** Week 2026-W47 (Mon 16 to Sun 22 November) and one incident just after it. */
async function raiseTheWeek(incidents: IncidentService, setClock: (ms: number) => void): Promise<void> {
  const raise = async (at: string, cameraId: string, zone: string | null, rule: string): Promise<Incident> => {
    setClock(T(at));
    return incidents.create({
      cameraId,
      zone,
      rule,
      objects: [],
      startedAt: T(at),
      lastSeenAt: T(at),
      summary: "x",
      confidence: 0.9,
    });
  };
  const decide = async (
    i: Incident,
    at: number,
    action: "monitor" | "dismiss" | "escalate" | "request_dispatch" | "close",
    reason?: "false_positive_motion" | "camera_fault",
  ) => {
    setClock(at);
    return incidents.decide(i.id, { action, actor: "otto", reason });
  };
  const a = await raise("2026-11-16T10:00:00Z", "lobby", "door", "door-rule");
  await decide(a, T(a.started_at) + 60 * S, "dismiss", "false_positive_motion");
  const b = await raise("2026-11-17T12:00:00Z", "lobby", "door", "door-rule");
  await decide(b, T(b.started_at) + 120 * S, "escalate");
  await decide(b, T(b.started_at) + 300 * S, "request_dispatch");
  const c = await raise("2026-11-18T08:00:00Z", "yard", "lane", "lane-rule");
  await decide(c, T(c.started_at) + 30 * S, "monitor");
  await decide(c, T(c.started_at) + 600 * S, "close");
  const d = await raise("2026-11-19T02:00:00Z", "yard", null, "tamper");
  await decide(d, T(d.started_at) + 900 * S, "dismiss", "camera_fault");
  await raise("2026-11-22T23:59:59Z", "gate", "lane", "lane-rule");
  await raise("2026-11-23T00:00:00Z", "lobby", "door", "door-rule");
}

/** Worked out by hand from raiseTheWeek. */
const EXPECTED_W47 = {
  week: "2026-W47",
  from: "2026-11-16T00:00:00.000Z",
  to: "2026-11-23T00:00:00.000Z",
  total: 5,
  by_status: { dismissed: 2, dispatch_pending_review: 1, closed: 1, open: 1 },
  by_rule: { "door-rule": 2, "lane-rule": 2, tamper: 1 },
  dismissed_rate: 0.4,
  escalation_rate: 0.2,
  // First human step after 60, 120, 30 and 900 s; the open one has none. p90 by nearest rank: the 4th of 4.
  time_to_decision_s: { decided: 4, mean: 277.5, p90: 900 },
  dismiss_reasons: { false_positive_motion: 1, camera_fault: 1 },
  top_cameras: [
    { camera_id: "lobby", incidents: 2 },
    { camera_id: "yard", incidents: 2 },
    { camera_id: "gate", incidents: 1 },
  ],
  top_zones: [
    { zone: "door", incidents: 2 },
    { zone: "lane", incidents: 2 },
  ],
  // Dismissed after 60 s weighs 1 - 60/600 = 0.9; after 900 s, 0. Over 5 incidents: 0.18.
  alert_fatigue: 0.18,
  transitions: { created: 5, dismiss: 2, escalate: 1, request_dispatch: 1, monitor: 1, close: 1 },
};

function sameAsSummary(figures: WeeklyKpiFigures, all: readonly Incident[]): void {
  const inWeek = all.filter((i) => T(i.started_at) >= T(figures.from) && T(i.started_at) < T(figures.to));
  const full = kpiSummary(inWeek, "all", T(figures.to));
  const { range: _r, from: _f, to: _t, daily: _d, ...shared } = full;
  const { week: _w, from: _wf, to: _wt, by_rule: _br, transitions: _tr, ...weekly } = figures;
  assert.deepEqual(weekly, shared);
}

void describe("weekly KPIs (LevelDB)", () => {
  void it("match the hand-computed figures and the full-scan summary, survive a restart and are rebuilt by the backfill", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-kpi-weekly-"));
    try {
      const all = await withService(dir, async ({ incidents, weekly, setClock }) => {
        await raiseTheWeek(incidents, setClock);
        const w47 = weekly.week("2026-W47");
        assert.ok(w47);
        assert.deepEqual(w47, EXPECTED_W47);
        assert.equal(weekly.week("2026-W48")?.total, 1);
        const everything = await incidents.all();
        sameAsSummary(w47, everything);
        return everything;
      });
      // Reopened: the aggregates are what was committed with the incidents, read back, not recomputed.
      await withService(dir, async ({ weekly }) => {
        assert.deepEqual(weekly.week("2026-W47"), EXPECTED_W47);
      });
      // A store from before the day rollups existed: the first start builds them from the stored incidents.
      await withService(dir, async ({ stack }) => {
        await stack.db.sublevels.kpi_daily.clear();
        await stack.db.sublevels.meta.del(ROLLUPS_BUILT);
      });
      await withService(dir, async ({ weekly }) => {
        assert.deepEqual(weekly.week("2026-W47"), EXPECTED_W47);
        sameAsSummary(weekly.week("2026-W48") ?? assert.fail(), all);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it("publishes each finished week once, on the incidents stream, after the week's incident messages", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-kpi-publish-"));
    try {
      await withService(dir, async ({ stack, incidents, weekly, setClock }) => {
        await raiseTheWeek(incidents, setClock);
        let now = T("2026-11-22T12:00:00Z");
        const publisher = new KpiWeeklyPublisher({
          database: stack.db,
          outbox: stack.outbox,
          weekly,
          intervalMs: 3_600_000,
          log: silentLogger(),
          now: () => now,
        });
        assert.deepEqual(await publisher.publishDue(), [], "W47 is not over yet");
        now = T("2026-11-23T00:00:01Z");
        assert.deepEqual(await publisher.publishDue(), ["2026-W47"]);
        assert.deepEqual(await publisher.publishDue(), [], "never twice");
        const envelopes = (await stack.db.sublevels.outbox.values().all()) as Envelope[];
        const kpi = envelopes.filter((e) => e.type === "kpi.weekly");
        assert.equal(kpi.length, 1);
        assert.equal(kpi[0]?.stream, "incidents");
        assert.deepEqual(kpi[0]?.data, EXPECTED_W47);
        assert.ok(Value.Check(KpiWeeklyEnvelopeSchema, kpi[0]), "matches docs/schemas/kpi-weekly-envelope.json");
        const lastIncident = Math.max(
          ...envelopes.filter((e) => e.stream === "incidents" && e.type !== "kpi.weekly").map((e) => e.seq),
        );
        assert.ok((kpi[0]?.seq ?? 0) > lastIncident);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it("are served at GET /v1/metrics/weekly to viewers, newest first, and to nobody without a token; the summary comes from the same rollups", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-kpi-http-"));
    let clock = 0;
    const stack = await openAuthStack(dir, { rollups: true, now: () => clock }).catch(async (err: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw err;
    });
    try {
      const incidents = stack.incidents;
      await raiseTheWeek(incidents, (ms) => (clock = ms));
      await addUser(stack.auth, "vic", "viewer");
      const token = (await loginOk(stack.app, "vic")).access_token;
      const r = await stack.app.inject({ method: "GET", url: "/v1/metrics/weekly?weeks=2", headers: bearer(token) });
      assert.equal(r.statusCode, 200);
      const body = r.json<{ weeks: Array<{ week: string; total: number }> }>();
      assert.deepEqual(
        body.weeks.map((w) => [w.week, w.total]),
        [
          ["2026-W48", 1],
          ["2026-W47", 5],
        ],
      );
      assert.deepEqual(body.weeks[1], EXPECTED_W47);
      assert.equal((await stack.app.inject({ method: "GET", url: "/v1/metrics/weekly" })).statusCode, 401);
      // The summary is answered from the same day rollups, and equals the full scan of the store.
      const summary = await stack.app.inject({
        method: "GET",
        url: "/v1/metrics/summary?range=all",
        headers: bearer(token),
      });
      assert.equal(summary.statusCode, 200);
      const { to: _to, ...rolled } = summary.json<Record<string, unknown>>();
      const { to: _t2, ...scanned } = kpiSummary(await incidents.all(), "all", Date.now());
      assert.deepEqual(rolled, JSON.parse(JSON.stringify(scanned)));
      assert.equal(
        (await stack.app.inject({ method: "GET", url: "/v1/metrics/weekly?weeks=0", headers: bearer(token) }))
          .statusCode,
        400,
      );
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
