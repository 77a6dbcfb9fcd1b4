// KPI day rollups on a real LevelDB: incident writes, decisions and retention deletions keep them
// equal to a full scan of the store (random histories, fast-check); an older store gets them built
// at start, and a build killed midway resumes after the last chunk on disk.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Incident } from "../../src/contract/incident.js";
import { KPI_RANGES, type KpiRange, kpiSummary } from "../../src/incidents/kpi.js";
import { rollupDays } from "../../src/incidents/kpi-rollup.js";
import { KpiRollupStore, ROLLUPS_BUILT, ROLLUPS_PROGRESS } from "../../src/incidents/kpi-rollup-store.js";
import { RetentionJob } from "../../src/incidents/retention-job.js";
import { DECISION_ACTIONS, DISMISS_REASONS } from "../../src/incidents/lifecycle.js";
import { openAuthStack } from "../helpers/auth-stack.js";
import { openStoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const DAY = 86_400_000;
const BASE = Date.parse("2026-09-01T06:00:00Z");

const sorted = <T>(m: Map<string, T>) => new Map([...m].sort((a, b) => a[0].localeCompare(b[0])));

void describe("KPI day rollups (LevelDB)", () => {
  void it("stay equal to a full scan over random histories of creates, updates, decisions and retention deletes, across a reopen", async () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("create" as const),
        day: fc.integer({ min: 0, max: 70 }),
        camera: fc.constantFrom("lobby", "yard"),
        zone: fc.constantFrom<string | null>("door", null),
      }),
      fc.record({
        kind: fc.constant("decide" as const),
        target: fc.nat(),
        action: fc.constantFrom(...DECISION_ACTIONS, "approve" as const),
        reason: fc.constantFrom(...DISMISS_REASONS),
        afterS: fc.integer({ min: 1, max: 7200 }),
      }),
      fc.record({ kind: fc.constant("update" as const), target: fc.nat() }),
      fc.record({ kind: fc.constant("sweep" as const), maxAgeDays: fc.integer({ min: 1, max: 60 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const dir = await mkdtemp(join(tmpdir(), "vigil-rollups-prop-"));
        let clock = BASE;
        const stack = await openAuthStack(dir, { rollups: true, now: () => clock });
        try {
          const rollups = stack.rollups ?? assert.fail();
          const ids: string[] = [];
          for (const s of steps) {
            if (s.kind === "create") {
              clock = BASE + s.day * DAY + ids.length * 1000;
              ids.push(
                (
                  await stack.incidents.create({
                    cameraId: s.camera,
                    zone: s.zone,
                    rule: "r",
                    objects: [],
                    startedAt: clock,
                    lastSeenAt: clock,
                    summary: "x",
                    confidence: 0.9,
                  })
                ).id,
              );
            } else if (s.kind === "sweep") {
              const job = new RetentionJob({
                database: stack.store.db,
                commits: stack.store.commits,
                audit: stack.audit,
                index: stack.incidents.index,
                rollups,
                policy: { maxAgeDays: s.maxAgeDays, maxBytes: 1 << 30 },
                intervalMs: 3_600_000,
                log: silentLogger(),
                now: () => clock,
              });
              await job.sweep();
            } else {
              const id = ids[s.target % Math.max(1, ids.length)];
              const current = id === undefined ? undefined : await stack.incidents.get(id);
              if (!current) continue;
              clock =
                Date.parse(current.history.at(-1)?.at ?? current.started_at) +
                (s.kind === "decide" ? s.afterS : 5) * 1000;
              if (s.kind === "update") await stack.incidents.update(current.id, { lastSeenAt: clock, endedAt: clock });
              else
                await stack.incidents
                  .decide(current.id, {
                    action: s.action,
                    actor: "otto",
                    reason: s.action === "dismiss" ? s.reason : undefined,
                  })
                  .catch(() => undefined);
            }
          }
          const all = (await stack.store.db.sublevels.incidents.values().all()) as Incident[];
          assert.deepEqual(
            sorted(rollups.snapshot()),
            sorted(rollupDays(all)),
            "rollups = built from the stored incidents",
          );
          const onDisk = new Map((await stack.store.db.sublevels.kpi_daily.iterator().all()) as Array<[string, never]>);
          assert.deepEqual(sorted(onDisk), sorted(rollupDays(all)), "and what is on disk is the same");
          for (const range of Object.keys(KPI_RANGES) as KpiRange[]) {
            const now = BASE + 75 * DAY;
            const rolled = rollups.summary(range, now);
            const scanned = kpiSummary(all, range, now);
            // Exact but for the p90 (the sketch: within 1%) and float rounding of the fatigue score.
            const loose = (k: typeof rolled) => ({
              ...k,
              alert_fatigue: 0,
              time_to_decision_s: { ...k.time_to_decision_s, p90: 0 },
            });
            assert.deepEqual(loose(rolled), loose(scanned), range);
            assert.ok(Math.abs(rolled.alert_fatigue - scanned.alert_fatigue) <= 0.0011);
            const exact = scanned.time_to_decision_s.p90;
            if (exact === null) assert.equal(rolled.time_to_decision_s.p90, null);
            else
              assert.ok(
                Math.abs((rolled.time_to_decision_s.p90 ?? NaN) - exact) <= 0.01 * exact,
                `p90 ${rolled.time_to_decision_s.p90} vs ${exact}`,
              );
          }
        } finally {
          await stack.close();
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 12 },
    );
  });

  void it("are built for an older store at start, a chunk per batch, and a build killed midway resumes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-rollups-build-"));
    try {
      const written: Incident[] = [];
      const store = await openStoreStack(dir);
      try {
        const ops = [];
        for (let n = 0; n < 230; n++) {
          const at = new Date(BASE + n * 3 * 3_600_000).toISOString();
          const i: Incident = {
            id: `id-${String(n).padStart(4, "0")}`,
            version: 2,
            camera_id: `cam-${n % 3}`,
            rule: "r",
            zone: n % 2 ? "door" : null,
            status: n % 4 ? "dismissed" : "open",
            ...(n % 4 ? { dismiss_reason: "weather" as const } : {}),
            confidence: 0.9,
            objects: [],
            started_at: at,
            last_seen_at: at,
            ended_at: null,
            summary: "x",
            next_step: "monitor",
            history: [
              { at, actor: "system", action: "created", before: null, after: "open" },
              ...(n % 4
                ? [
                    {
                      at: new Date(Date.parse(at) + n * 1000).toISOString(),
                      actor: "otto",
                      action: "dismiss",
                      before: "open" as const,
                      after: "dismissed" as const,
                    },
                  ]
                : []),
            ],
          };
          written.push(i);
          ops.push({ type: "put" as const, sublevel: store.db.sublevels.incidents, key: i.id, value: i });
        }
        await store.db.level.batch(ops);
      } finally {
        await store.close();
      }
      // First start: killed (an exception out of the build) after the second chunk is on disk.
      const first = await openStoreStack(dir);
      try {
        const dying = new KpiRollupStore(first.db, silentLogger(), {
          chunk: 50,
          afterChunk: (done) => {
            if (done === 100) throw new Error("killed");
          },
        });
        await assert.rejects(dying.start(), /killed/);
        assert.equal(await first.db.sublevels.meta.get(ROLLUPS_PROGRESS), "id-0099");
        assert.equal(await first.db.sublevels.meta.get(ROLLUPS_BUILT), undefined);
        assert.match(dying.notReady() ?? "", /^migrating: building KPI day rollups \(100 of 230 incidents\)$/);
      } finally {
        await first.close();
      }
      const second = await openStoreStack(dir);
      try {
        const chunks: number[] = [];
        const rollups = new KpiRollupStore(second.db, silentLogger(), {
          chunk: 50,
          afterChunk: (done) => void chunks.push(done),
        });
        await rollups.start();
        assert.deepEqual(chunks, [150, 200, 230], "resumed after the last chunk on disk");
        assert.equal(rollups.notReady(), undefined);
        assert.deepEqual(sorted(rollups.snapshot()), sorted(rollupDays(written)));
        const rolled = rollups.summary("all", BASE + 40 * DAY);
        const scanned = kpiSummary(written, "all", BASE + 40 * DAY);
        // Times 1 s apart share sketch buckets here: the p90 is within 1% of the exact one (206.5 vs 206).
        const exactP90 = scanned.time_to_decision_s.p90 ?? assert.fail();
        assert.ok(Math.abs((rolled.time_to_decision_s.p90 ?? 0) - exactP90) < 0.01 * exactP90);
        const withoutP90 = (k: typeof rolled) => ({ ...k, time_to_decision_s: { ...k.time_to_decision_s, p90: 0 } });
        assert.deepEqual(withoutP90(rolled), withoutP90(scanned));
        assert.ok(await second.db.sublevels.meta.get(ROLLUPS_BUILT));
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
