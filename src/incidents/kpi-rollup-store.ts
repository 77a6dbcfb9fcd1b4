import type { Incident } from "../contract/incident.js";
import type { WeeklyKpiFigures } from "../contract/kpi.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { WriteOp } from "../store/group-commit.js";
import type { IncidentWriteHook } from "./incident-service.js";
import { type KpiRange, type KpiSummary } from "./kpi.js";
import {
  addDay,
  cloneDay,
  type DayRollup,
  emptyDay,
  foldChange,
  rollupDays,
  summaryFromRollups,
  weeksFromRollups,
} from "./kpi-rollup.js";

/** Set once the day rollups cover every stored incident (written with the build's last chunk). */
export const ROLLUPS_BUILT = "kpi_daily!built";
/** The id of the last incident folded in by an unfinished build (written with its chunk). */
export const ROLLUPS_PROGRESS = "kpi_daily!build_after";

export interface RollupBuildOptions {
  readonly chunk?: number;
  /** Called after each chunk is on disk (tests stop here to simulate a kill). */
  readonly afterChunk?: (done: number) => void | Promise<void>;
}

/**
 * The KPI day rollups (sublevel `kpi_daily`, one record per UTC day), kept up to date with each
 * incident write: the day's new rollup goes in the incident's own fsynced batch (IncidentWriteHook,
 * built in commit order, undone in memory if the batch fails), and a retention deletion takes the
 * incident out of its day in the deletion's batch. So the summary and the weekly figures, which
 * read one rollup per day, agree with the stored incidents after any crash. The rollups of an
 * older store are built at start, a chunk of incidents per batch, resuming after a kill -9.
 */
export class KpiRollupStore implements Component, IncidentWriteHook {
  readonly name = "kpi-rollups";
  private readonly days = new Map<string, DayRollup>();
  /** Every day added up, kept beside them: `all` merges one record instead of one per day. */
  private allTime: DayRollup = emptyDay("all");
  private loaded = false;
  private progress: { done: number; total: number } | undefined;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    private readonly build: RollupBuildOptions = {},
  ) {}

  async start(): Promise<void> {
    const { kpi_daily: sub, meta } = this.database.sublevels;
    this.days.clear();
    this.loaded = false;
    if ((await meta.get(ROLLUPS_BUILT)) === undefined) await this.buildFromIncidents();
    for await (const [key, value] of sub.iterator()) this.days.set(key, value as DayRollup);
    this.allTime = emptyDay("all");
    for (const d of this.days.values()) addDay(this.allTime, d, 1);
    this.loaded = true;
  }

  async stop(): Promise<void> {
    this.loaded = false;
    this.progress = undefined;
  }

  /** For readiness: undefined once incident writes and KPI reads can go through. */
  notReady(): string | undefined {
    if (this.loaded) return undefined;
    const p = this.progress;
    return p ? `migrating: building KPI day rollups (${p.done} of ${p.total} incidents)` : "KPI rollups not loaded yet";
  }

  /** Called by IncidentService (a write) and RetentionJob (`next` undefined: a deletion). */
  prepare(previous: Incident | undefined, next: Incident | undefined): { ops: WriteOp[]; undo: () => void } {
    // Folding into rollups not yet read from disk would overwrite them: refuse the write instead.
    if (!this.loaded) throw new VigilError(ErrorCodes.STORE_UNAVAILABLE, "KPI rollups are not loaded yet");
    const changed = foldChange(this.days, previous, next);
    const before = new Map([...changed.keys()].map((k) => [k, this.days.get(k)]));
    const sub = this.database.sublevels.kpi_daily;
    const ops: WriteOp[] = [];
    // The running total: the touched days' old rollups out, their new ones in (reversed by undo).
    const adjust = (sign: 1 | -1): void => {
      for (const d of before.values()) if (d) addDay(this.allTime, d, sign === 1 ? -1 : 1);
      for (const d of changed.values()) addDay(this.allTime, d, sign);
    };
    adjust(1);
    for (const [key, d] of changed) {
      if (d.total === 0) {
        this.days.delete(key);
        ops.push({ type: "del", sublevel: sub, key });
      } else {
        this.days.set(key, d);
        ops.push({ type: "put", sublevel: sub, key, value: d });
      }
    }
    return {
      ops,
      undo: () => {
        adjust(-1);
        for (const [key, d] of before) {
          if (d) this.days.set(key, d);
          else this.days.delete(key);
        }
      },
    };
  }

  /** `GET /v1/metrics/summary`: one rollup per day of the range. */
  summary(range: KpiRange, now: number): KpiSummary {
    this.mustBeLoaded();
    return summaryFromRollups(
      (k) => this.days.get(k),
      () => this.days.values(),
      range,
      now,
      this.allTime,
    );
  }

  /** The ISO weeks with incidents, oldest first, all or the `latest` ones (`GET /v1/metrics/weekly`, `kpi.weekly`). */
  weeks(latest?: number): WeeklyKpiFigures[] {
    this.mustBeLoaded();
    return weeksFromRollups(this.days.values(), latest);
  }

  week(key: string): WeeklyKpiFigures | undefined {
    return this.weeks().find((w) => w.week === key);
  }

  /** A copy of every day's rollup as committed (the store check compares them to a scan). */
  snapshot(): Map<string, DayRollup> {
    return new Map([...this.days].map(([k, d]) => [k, cloneDay(d)]));
  }

  private mustBeLoaded(): void {
    if (!this.loaded) throw new VigilError(ErrorCodes.STORE_UNAVAILABLE, "KPI rollups are not loaded yet");
  }

  /** The migration: folds every stored incident in, a chunk per fsynced batch with its progress. */
  private async buildFromIncidents(): Promise<void> {
    const { kpi_daily: sub, meta, incidents } = this.database.sublevels;
    let after = (await meta.get(ROLLUPS_PROGRESS)) as string | undefined;
    const days = new Map<string, DayRollup>();
    if (after === undefined) await sub.clear();
    else for await (const [key, value] of sub.iterator()) days.set(key, value as DayRollup);
    let total = 0;
    for await (const _ of incidents.keys()) total += 1;
    let done = 0;
    if (after !== undefined) for await (const _ of incidents.keys({ lte: after })) done += 1;
    const chunk = this.build.chunk ?? 5000;
    const started = Date.now();
    this.progress = { done, total };
    this.log.info(
      { incidents: total, resumed_at: done },
      after === undefined ? "building KPI day rollups" : "resuming KPI day rollup build",
    );
    for (;;) {
      const range = after === undefined ? { limit: chunk } : { gt: after, limit: chunk };
      const batch = (await incidents.iterator(range).all()) as Array<[string, Incident]>;
      if (batch.length === 0) break;
      const touched = new Set(batch.map(([, i]) => i.started_at.slice(0, 10)));
      rollupDays(
        batch.map(([, i]) => i),
        days,
      );
      after = batch.at(-1)?.[0] ?? after;
      const ops: WriteOp[] = [...touched].map((key) => ({ type: "put", sublevel: sub, key, value: days.get(key) }));
      ops.push({ type: "put", sublevel: meta, key: ROLLUPS_PROGRESS, value: after });
      await this.database.level.batch(ops, { sync: true });
      done += batch.length;
      this.progress = { done, total };
      this.log.info(
        { done, total, percent: total === 0 ? 100 : Math.round((done / total) * 1000) / 10 },
        "KPI day rollup build progress",
      );
      await this.build.afterChunk?.(done);
    }
    await this.database.level.batch(
      [
        { type: "put", sublevel: meta, key: ROLLUPS_BUILT, value: new Date().toISOString() },
        { type: "del", sublevel: meta, key: ROLLUPS_PROGRESS },
      ],
      { sync: true },
    );
    this.log.info({ incidents: done, days: days.size, ms: Date.now() - started }, "KPI day rollups built");
  }
}
