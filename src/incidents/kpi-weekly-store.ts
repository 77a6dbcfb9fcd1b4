import type { Incident } from "../contract/incident.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { GroupCommit, WriteOp } from "../store/group-commit.js";
import type { IncidentWriteHook } from "./incident-service.js";
import { aggregateWeeks, emptyWeek, foldChange, type WeeklyKpiAggregate, weekOf } from "./kpi-weekly.js";

/** Set once the weekly aggregates cover every stored incident (written with the backfill). */
const BACKFILLED = "kpi_weekly!backfilled";

/**
 * The weekly KPI aggregates (sublevel `kpi_weekly`, one record per ISO week), kept up to date
 * incrementally: every incident write carries its week's new aggregate in the same fsynced batch
 * (IncidentWriteHook), so after a kill -9 the aggregates and the incidents agree, with nothing to
 * replay. Built in commit order from memory, undone in memory if the batch fails.
 * On the first start with this sublevel the stored incidents are folded in once (backfill).
 */
export class KpiWeeklyStore implements Component, IncidentWriteHook {
  readonly name = "kpi-weekly";
  private readonly weeks = new Map<string, WeeklyKpiAggregate>();
  private loaded = false;

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { kpi_weekly: sub, meta, incidents } = this.database.sublevels;
    this.weeks.clear();
    if ((await meta.get(BACKFILLED)) === undefined) {
      const all = (await incidents.values().all()) as Incident[];
      const weeks = aggregateWeeks(all);
      const ops: WriteOp[] = [...weeks].map(([key, value]) => ({ type: "put", sublevel: sub, key, value }));
      await this.commits.commit([...ops, { type: "put", sublevel: meta, key: BACKFILLED, value: new Date().toISOString() }]);
      this.log.info({ incidents: all.length, weeks: weeks.size }, "weekly KPIs backfilled from stored incidents");
    }
    for await (const [key, value] of sub.iterator()) this.weeks.set(key, value as WeeklyKpiAggregate);
    this.loaded = true;
  }

  async stop(): Promise<void> {
    this.loaded = false;
  }

  /** Called by IncidentService when it builds an incident's batch; see IncidentWriteHook. */
  prepare(previous: Incident | undefined, next: Incident): { ops: WriteOp[]; undo: () => void } {
    // Folding into aggregates not yet read from disk would overwrite them: refuse the write instead.
    if (!this.loaded) throw new VigilError(ErrorCodes.STORE_UNAVAILABLE, "weekly KPIs are not loaded yet");
    const key = weekOf(next);
    const before = this.weeks.get(key);
    const after = foldChange(before ?? emptyWeek(Date.parse(next.started_at)), previous, next);
    this.weeks.set(key, after);
    return {
      ops: [{ type: "put", sublevel: this.database.sublevels.kpi_weekly, key, value: after }],
      undo: () => {
        if (before) this.weeks.set(key, before);
        else this.weeks.delete(key);
      },
    };
  }

  /** One week's aggregate as committed so far (`2026-W47`). */
  week(key: string): WeeklyKpiAggregate | undefined {
    return this.weeks.get(key);
  }

  /** Every week with incidents, oldest first. */
  list(): WeeklyKpiAggregate[] {
    return [...this.weeks.values()].sort((a, b) => a.from.localeCompare(b.from));
  }
}
