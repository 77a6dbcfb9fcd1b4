// `vigil store check [--repair] [--json]` on a real store (the daemon stopped): indexes, counts and
// KPI day rollups written with the incidents agree; a removed, an altered and a stray index entry,
// a missing end-time entry, a wrong count or bytes total and a wrong day rollup are found; --repair rebuilds them from the incidents.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { VigilEvents } from "../../src/contract/events.js";
import { loadConfig } from "../../src/config/loader.js";
import { EventBus } from "../../src/core/event-bus.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { KpiRollupStore } from "../../src/incidents/kpi-rollup-store.js";
import type { StoreCheckResult } from "../../src/incidents/store-check.js";
import { provisionBox, runCli } from "../helpers/daemon.js";
import { openStoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const DAY = 86_400_000;

void describe("vigil store check", () => {
  void it("finds indexes, counts and rollups that disagree with the incidents, and --repair rebuilds them", async () => {
    const box = await provisionBox({ site: "hq", gateway: "gw-check" });
    try {
      const dataDir = (await loadConfig(box.configPath)).data_dir;
      const check = async (...extra: string[]) => {
        const r = await runCli(["store", "check", "--config", box.configPath, "--json", ...extra]);
        return { code: r.code, result: JSON.parse(r.stdout) as StoreCheckResult };
      };
      let stack = await openStoreStack(dataDir);
      const rollups = new KpiRollupStore(stack.db, silentLogger());
      await rollups.start();
      let clock = Date.parse("2026-11-01T08:00:00Z");
      const incidents = new IncidentService(
        stack.db,
        stack.outbox,
        new EventBus<VigilEvents>(() => {}),
        silentLogger(),
        undefined,
        { minConfidence: 0.5 },
        () => clock,
        rollups,
      );
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        clock = Date.parse("2026-11-01T08:00:00Z") + (i % 10) * DAY + i * 1000;
        ids.push(
          (
            await incidents.create({
              cameraId: `cam-${i % 3}`,
              zone: i % 2 ? "door" : null,
              rule: "r",
              objects: [],
              startedAt: clock,
              lastSeenAt: clock,
              summary: "x",
              confidence: 0.9,
            })
          ).id,
        );
        if (i % 3 === 0) await incidents.decide(ids[i] ?? "", { action: "dismiss", actor: "otto", reason: "weather" });
      }
      await rollups.stop();
      await stack.close();

      const clean = await check();
      assert.deepEqual([clean.code, clean.result.ok, clean.result.incidents], [0, true, 30]);

      stack = await openStoreStack(dataDir);
      const { incident_idx: idx, kpi_daily: daily } = stack.db.sublevels;
      const first = (await stack.db.sublevels.incidents.get(ids[1] ?? "")) as { started_at: string; id: string };
      await idx.del(`a!${first.started_at}|${first.id}`);
      await idx.put(`c!cam-1!${first.started_at}|${first.id}`, ["open", "cam-2", "r", "door"]);
      await idx.put("a!2020-01-01T00:00:00.000Z|stray", ["open", "cam-0", "r", null]);
      await idx.put("n!c!cam-0", 999);
      // The end-time index (retention) and the bytes total are checked like the others.
      const dismissed = (await stack.db.sublevels.incidents.get(ids[3] ?? "")) as {
        id: string;
        history: Array<{ at: string }>;
      };
      const endKey = `e!${new Date(Date.parse(dismissed.history.at(-1)?.at ?? "")).toISOString()}|${dismissed.id}`;
      assert.ok((await idx.get(endKey)) !== undefined, "a dismissed incident is in the end-time index");
      await idx.del(endKey);
      await idx.put("n!b!total", 1);
      const day = "2026-11-03";
      await daily.put(day, { ...((await daily.get(day)) as object), total: 1234 });
      await stack.close();

      const bad = await check();
      assert.equal(bad.code, 1);
      assert.deepEqual(
        [
          bad.result.ok,
          bad.result.index_missing,
          bad.result.index_wrong,
          bad.result.index_extra,
          bad.result.counts_wrong,
          bad.result.rollup_days_wrong,
        ],
        [false, 2, 1, 1, ["n!b!total", "n!c!cam-0"], [day]],
      );

      const repaired = await check("--repair");
      assert.deepEqual([repaired.code, repaired.result.ok, repaired.result.repaired], [0, true, true]);
      assert.equal((await check()).result.ok, true);
      assert.match((await runCli(["store", "check", "--help"])).stdout, /--repair/);
    } finally {
      await box.cleanup();
    }
  });
});
