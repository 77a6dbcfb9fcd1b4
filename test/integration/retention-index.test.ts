// The retention sweep through the end-time index, on a real LevelDB, against the full-scan sweep
// it replaced: over random histories of creates, updates, decisions, status changes and retention
// deletes (by age and by disk budget), the index chooses exactly what the scan chooses, the sweep
// deletes it, and `vigil store check`'s verification finds the indexes, counts and bytes total
// in agreement with the incidents afterwards.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { VigilEvents } from "../../src/contract/events.js";
import type { Incident } from "../../src/contract/incident.js";
import { EventBus } from "../../src/core/event-bus.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { KpiRollupStore } from "../../src/incidents/kpi-rollup-store.js";
import { DECISION_ACTIONS, DISMISS_REASONS } from "../../src/incidents/lifecycle.js";
import { footprintOf, RETAINABLE } from "../../src/incidents/retention.js";
import { indexedCandidates, scanCandidates } from "../../src/incidents/retention-candidates.js";
import { RetentionJob } from "../../src/incidents/retention-job.js";
import { FORMAT_KEY, STORE_FORMAT } from "../../src/incidents/incident-index-migration.js";
import { checkIncidentStore } from "../../src/incidents/store-check.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-01-05T00:00:00Z");

const arbPolicy = fc.record({
  maxAgeDays: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
  maxBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8_000 })),
});
const arbStep = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      camera: fc.nat(2),
      rule: fc.nat(3),
      day: fc.integer({ min: 0, max: 30 }),
      summary: fc.nat(400),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("update" as const), target: fc.nat(), end: fc.boolean() }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("decide" as const),
      target: fc.nat(),
      action: fc.oneof(
        fc.constantFrom("dismiss" as const, "monitor" as const, "close" as const),
        fc.constantFrom(...DECISION_ACTIONS, "approve" as const),
      ),
      reason: fc.constantFrom(...DISMISS_REASONS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 60 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("retention" as const),
      policy: arbPolicy,
      pin: fc.option(fc.record({ target: fc.nat(), delta: fc.constantFrom(-1, 0, 1) }), { nil: undefined }),
    }),
  },
);

void describe("retention through the end-time index (LevelDB) against the full-scan sweep", () => {
  let dir: string;
  let stack: AuthStack;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-retention-index-"));
    stack = await openAuthStack(dir);
  });
  after(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it("chooses and deletes exactly what the scan chooses, never an unfinished incident, keeping indexes and rollups exact", async () => {
    const seen = { byAge: 0, byBudget: 0, kept: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(arbStep, { minLength: 10, maxLength: 80 }), arbPolicy, async (steps, finalPolicy) => {
        const { incidents: incSub, incident_idx: idxSub, kpi_daily: dailySub } = stack.store.db.sublevels;
        await incSub.clear();
        await idxSub.clear();
        await dailySub.clear();
        await stack.incidents.index.stop();
        const rollups = new KpiRollupStore(stack.store.db, silentLogger());
        await rollups.start();
        let clock = T0;
        const incidents = new IncidentService(
          stack.store.db,
          stack.store.outbox,
          new EventBus<VigilEvents>(() => {}),
          silentLogger(),
          stack.audit,
          { minConfidence: 0.5, allowSelfApproval: true },
          () => clock,
          rollups,
        );
        const ids: string[] = [];
        const sweep = async (policy: { maxAgeDays: number; maxBytes: number }, now = clock) => {
          const scanned = await scanCandidates(stack.store.db, policy, now);
          const indexed = await indexedCandidates(stack.store.db, incidents.index, policy, now);
          assert.deepEqual(indexed.plan, scanned.plan, JSON.stringify(policy));
          const unfinished = (await incSub.values().all()) as Incident[];
          const chosen = new Set([...indexed.plan.byAge, ...indexed.plan.byBudget]);
          for (const i of unfinished) if (!RETAINABLE.has(i.status)) assert.ok(!chosen.has(i.id), `${i.status} chosen`);
          seen.byAge += indexed.plan.byAge.length;
          seen.byBudget += indexed.plan.byBudget.length;
          seen.kept += unfinished.length - chosen.size;
          const job = new RetentionJob({
            database: stack.store.db,
            commits: stack.store.commits,
            audit: stack.audit,
            index: incidents.index,
            rollups,
            policy,
            intervalMs: 3_600_000,
            log: silentLogger(),
            now: () => now,
          });
          assert.deepEqual(await job.sweep(), {
            byAge: scanned.plan.byAge.length,
            byBudget: scanned.plan.byBudget.length,
          });
          const left = new Set(await incSub.keys().all());
          for (const id of chosen) assert.ok(!left.has(id), `${id} deleted`);
          assert.equal(left.size, unfinished.length - chosen.size);
        };
        for (const s of steps) {
          clock += 60_000;
          if (s.kind === "create") {
            const started = T0 + s.day * DAY;
            ids.push(
              (
                await incidents.create({
                  cameraId: `cam-${s.camera}`,
                  rule: `rule-${s.rule}`,
                  zone: null,
                  objects: [],
                  startedAt: started,
                  lastSeenAt: started,
                  summary: "x".repeat(s.summary),
                })
              ).id,
            );
          } else if (s.kind === "update" && ids.length > 0) {
            await incidents
              .update(ids[s.target % ids.length] ?? "", {
                lastSeenAt: clock,
                ...(s.end ? { endedAt: clock } : {}),
                confidence: 0.7,
              })
              .catch((err: unknown) => {
                if (!/VIGIL_E_(NOT_FOUND|INCIDENT_TRANSITION|VALIDATION)/.test(String((err as { code?: string }).code)))
                  throw err;
              });
          } else if (s.kind === "decide" && ids.length > 0) {
            const id = ids[s.target % ids.length] ?? "";
            await incidents
              .decide(id, { action: s.action, actor: "otto", reason: s.action === "dismiss" ? s.reason : undefined })
              .catch((err: unknown) => {
                if (
                  !/VIGIL_E_(INCIDENT_TRANSITION|NOT_FOUND|VALIDATION|BAD_REQUEST)/.test(
                    String((err as { code?: string }).code),
                  )
                )
                  throw err;
              });
          } else if (s.kind === "advance") {
            clock += s.days * DAY;
          } else if (s.kind === "retention") {
            // Pinned: the age cutoff falls on an incident's last change, a millisecond either side or exactly.
            const all = (await incSub.values().all()) as Incident[];
            const pinned = s.pin && all.length > 0 ? all[s.pin.target % all.length] : undefined;
            const last = pinned ? Date.parse(pinned.history.at(-1)?.at ?? "") : undefined;
            // And the budget falls on the total less the oldest finished ones, a byte either side or exactly.
            const finished = all
              .filter((i) => RETAINABLE.has(i.status))
              .map(footprintOf)
              .sort((a, b) => a.lastChange - b.lastChange || a.id.localeCompare(b.id));
            const total = all.reduce((sum, i) => sum + footprintOf(i).bytes, 0);
            const gone = s.pin
              ? finished.slice(0, s.pin.target % (finished.length + 1)).reduce((sum, f) => sum + f.bytes, 0)
              : 0;
            const policy =
              s.pin && s.policy.maxBytes > 0
                ? { ...s.policy, maxBytes: Math.max(1, total - gone + s.pin.delta) }
                : s.policy;
            await sweep(policy, last !== undefined && s.pin ? last + s.policy.maxAgeDays * DAY + s.pin.delta : clock);
          }
        }
        await sweep(finalPolicy);
        await rollups.stop();
        const check = await checkIncidentStore(stack.store.db);
        assert.equal(check.ok, true, JSON.stringify(check));
      }),
      { numRuns: 60 },
    );
    // The histories did reach both kinds of deletion, and kept some incidents.
    assert.ok(seen.byAge > 0 && seen.byBudget > 0 && seen.kept > 0, JSON.stringify(seen));
  });

  void it("a format-2 store (indexes without the end-time entries and bytes total) is rebuilt to format 3 at start", async () => {
    const { incidents: incSub, incident_idx: idxSub, meta } = stack.store.db.sublevels;
    await incSub.clear();
    await idxSub.clear();
    await stack.incidents.index.stop();
    let clock = T0;
    const incidents = new IncidentService(
      stack.store.db,
      stack.store.outbox,
      new EventBus<VigilEvents>(() => {}),
      silentLogger(),
      stack.audit,
      { minConfidence: 0.5 },
      () => clock,
    );
    for (let n = 0; n < 12; n++) {
      clock += 60_000;
      const created = await incidents.create({
        cameraId: `cam-${n % 3}`,
        rule: `rule-${n}`,
        zone: null,
        objects: [],
        startedAt: clock,
        lastSeenAt: clock,
        summary: "x",
      });
      if (n % 2 === 0) await incidents.decide(created.id, { action: "dismiss", actor: "otto", reason: "weather" });
    }
    // What a format-2 daemon left: the same indexes without `e!` entries and `n!b!total`.
    const ends = await idxSub.keys({ gte: "e!", lt: "e!\uffff" }).all();
    assert.equal(ends.length, 6);
    await stack.store.db.level.batch(
      [...ends, "n!b!total"].map((key) => ({ type: "del" as const, sublevel: idxSub, key })),
    );
    await meta.put(FORMAT_KEY, 2);
    assert.equal((await checkIncidentStore(stack.store.db)).index_missing, 6);
    await incidents.index.stop();
    await incidents.index.ready();
    assert.equal(await meta.get(FORMAT_KEY), STORE_FORMAT);
    assert.equal(STORE_FORMAT, 3);
    // The indexes, counts and bytes total agree (this service writes no KPI rollups).
    const check = await checkIncidentStore(stack.store.db);
    assert.deepEqual(
      [check.index_missing, check.index_wrong, check.index_extra, check.counts_wrong],
      [0, 0, 0, []],
      JSON.stringify(check),
    );
    const swept = await indexedCandidates(
      stack.store.db,
      incidents.index,
      { maxAgeDays: 1, maxBytes: 0 },
      clock + 2 * DAY,
    );
    assert.equal(swept.plan.byAge.length, 6);
  });
});
