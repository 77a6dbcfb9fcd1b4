import { isDeepStrictEqual } from "node:util";
import type { Incident } from "../contract/incident.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import { countersOf, entriesOf, indexValue } from "./incident-index-keys.js";
import { FORMAT_KEY, migrateIncidentIndex, PROGRESS_KEY } from "./incident-index-migration.js";
import { type DayRollup, rollupDays } from "./kpi-rollup.js";
import { KpiRollupStore, ROLLUPS_BUILT, ROLLUPS_PROGRESS } from "./kpi-rollup-store.js";

export interface StoreCheckResult {
  ok: boolean;
  incidents: number;
  /** Index entries an incident should have and that are absent, or hold other fields. */
  index_missing: number;
  index_wrong: number;
  /** Index entries (not counts) beyond what the incidents account for. */
  index_extra: number;
  /** Count keys (`n!<dim>!<value>`, and the bytes total `n!b!total`) that disagree with the incidents. */
  counts_wrong: string[];
  /** Days whose KPI rollup disagrees with the incidents that started on them. */
  rollup_days_wrong: string[];
  repaired?: boolean;
}

const CHUNK = 2000;

/**
 * Whether the incident indexes, their counts and the KPI day rollups agree with the incident
 * records (`vigil store check`, daemon stopped). Streams the incidents a chunk at a time; what it
 * holds is the expected counts and day rollups (one per day), never every key.
 */
export async function checkIncidentStore(database: Database): Promise<StoreCheckResult> {
  const { incidents, incident_idx: idx, kpi_daily: daily } = database.sublevels;
  const counts = new Map<string, number>();
  const days = new Map<string, DayRollup>();
  let n = 0;
  let expectedEntries = 0;
  let missing = 0;
  let wrong = 0;
  let after: string | undefined;
  for (;;) {
    const batch = (await incidents
      .iterator(after === undefined ? { limit: CHUNK } : { gt: after, limit: CHUNK })
      .all()) as Array<[string, Incident]>;
    if (batch.length === 0) break;
    after = batch.at(-1)?.[0];
    const keys: string[] = [];
    const values: unknown[] = [];
    for (const [, incident] of batch) {
      for (const e of entriesOf(incident)) {
        keys.push(e.key);
        values.push(indexValue(incident));
      }
      for (const [counter, amount] of countersOf(incident)) counts.set(counter, (counts.get(counter) ?? 0) + amount);
    }
    rollupDays(
      batch.map(([, i]) => i),
      days,
    );
    const stored: unknown[] = await idx.getMany(keys);
    stored.forEach((v, k) => {
      if (v === undefined) missing += 1;
      else if (!isDeepStrictEqual(v, values[k])) wrong += 1;
    });
    expectedEntries += keys.length;
    n += batch.length;
  }
  let storedEntries = 0;
  const storedCounts = new Map<string, number>();
  for await (const [key, value] of idx.iterator()) {
    if (key.startsWith("n!")) storedCounts.set(key, value as number);
    else storedEntries += 1;
  }
  const countsWrong = [...new Set([...counts.keys(), ...storedCounts.keys()])]
    .filter((k) => counts.get(k) !== storedCounts.get(k))
    .sort();
  const storedDays = new Map((await daily.iterator().all()) as Array<[string, DayRollup]>);
  const rollupDaysWrong = [...new Set([...days.keys(), ...storedDays.keys()])]
    .filter((d) => !isDeepStrictEqual(days.get(d), storedDays.get(d)))
    .sort();
  const extra = storedEntries - (expectedEntries - missing);
  return {
    ok: missing === 0 && wrong === 0 && extra === 0 && countsWrong.length === 0 && rollupDaysWrong.length === 0,
    incidents: n,
    index_missing: missing,
    index_wrong: wrong,
    index_extra: extra,
    counts_wrong: countsWrong.slice(0, 100),
    rollup_days_wrong: rollupDaysWrong.slice(0, 100),
  };
}

/** Drops the indexes, counts and rollups and builds them again from the incidents (the start-up migrations). */
export async function repairIncidentStore(database: Database, log: Logger): Promise<void> {
  const { incident_idx: idx, kpi_daily: daily, meta } = database.sublevels;
  await idx.clear();
  await daily.clear();
  await database.level.batch(
    [FORMAT_KEY, PROGRESS_KEY, ROLLUPS_BUILT, ROLLUPS_PROGRESS].map((key) => ({
      type: "del" as const,
      sublevel: meta,
      key,
    })),
    { sync: true },
  );
  await migrateIncidentIndex(database, log);
  const rollups = new KpiRollupStore(database, log);
  await rollups.start();
  await rollups.stop();
}
