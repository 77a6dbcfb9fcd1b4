// The retention sweep at scale (issue 19), for bench/incident-store.bench.ts: on the benchmark's
// store, sweeps that delete 0, 1,000 and 10,000 finished incidents, through the end-time index
// (what the daemon runs) against the full scan it replaced (scanCandidates), in the same run, and
// with the same choice checked. A sweep here is the choice plus one fsynced deletion batch with
// the incidents' index and KPI rollup changes (the audit entry, one more put, left out).
import type { Incident } from "../src/contract/incident.js";
import type { IncidentIndex } from "../src/incidents/incident-index.js";
import type { KpiRollupStore } from "../src/incidents/kpi-rollup-store.js";
import { indexedCandidates, scanCandidates } from "../src/incidents/retention-candidates.js";
import type { Database } from "../src/store/database.js";
import type { WriteOp } from "../src/store/group-commit.js";
import { fmt, median } from "./stats.js";

const DAY = 86_400_000;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const out = await work();
  return [out, Number(process.hrtime.bigint() - t) / 1e6];
}

export async function retentionSweeps(db: Database, index: IncidentIndex, rollups: KpiRollupStore): Promise<void> {
  const { incident_idx: idx, incidents } = db.sublevels;
  for (const k of [0, 1000, 10_000]) {
    // A clock and a one-day age limit whose cutoff is the (k+1)-th oldest finished incident's last change.
    const at = (await idx.keys({ gte: "e!", lt: "e!\uffff", limit: k + 1 }).all())[k];
    if (at === undefined) throw new Error("fewer finished incidents than the sweep should delete");
    const policy = { maxAgeDays: 1, maxBytes: 0 };
    const now = Date.parse(at.slice(2, at.indexOf("|"))) + DAY;
    const indexedMs: number[] = [];
    let chosen = await indexedCandidates(db, index, policy, now);
    for (let r = 0; r < 5; r++) {
      const [c, ms] = await timed(() => indexedCandidates(db, index, policy, now));
      indexedMs.push(ms);
      chosen = c;
    }
    const [scanned, scanMs] = await timed(() => scanCandidates(db, policy, now));
    if (JSON.stringify(scanned.plan) !== JSON.stringify(chosen.plan))
      throw new Error("the index chose other incidents than the scan");
    const ids = chosen.plan.byAge;
    const [, deleteMs] = await timed(async () => {
      if (ids.length === 0) return;
      const ops: WriteOp[] = ids.flatMap((id) => {
        const i = chosen.incidents.get(id) as Incident;
        return [
          { type: "del" as const, sublevel: incidents, key: id },
          ...index.prepare(i, undefined).ops,
          ...rollups.prepare(i, undefined).ops,
        ];
      });
      await db.level.batch(ops, { sync: true });
    });
    const sweepIndexed = median(indexedMs) + deleteMs;
    console.log(
      `retention sweep deleting ${ids.length}: choice through the end-time index median ${fmt(median(indexedMs))} ms (n=5), full scan ${fmt(scanMs)} ms (once); deletion batch ${fmt(deleteMs)} ms; sweep now ${fmt(sweepIndexed)} ms vs before ${fmt(scanMs + deleteMs)} ms (${fmt((scanMs + deleteMs) / sweepIndexed, 1)}x)`,
    );
  }
}
