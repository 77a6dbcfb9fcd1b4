import type { Incident, IncidentStatus } from "../contract/incident.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { WriteOp } from "../store/group-commit.js";
import {
  BYTES_KEY,
  countersOf,
  countKey,
  entriesOf,
  type IndexFilter,
  type IndexValue,
  indexValue,
  matchesFields,
  matchesIncident,
  planWalk,
  sortKey,
} from "./incident-index-keys.js";
import { migrateIncidentIndex, type MigrationOptions } from "./incident-index-migration.js";

export interface IncidentPageQuery extends IndexFilter {
  readonly limit: number;
}

export interface IncidentPage {
  incidents: Incident[];
  next_cursor: string | null;
}

/**
 * The incident indexes (sublevel `incident_idx`, layout in incident-index-keys.ts) and their
 * counts. Every incident write carries its index changes in the incident's own fsynced batch
 * (`prepare`, built in commit order like the weekly KPIs), so a crash can never leave them
 * disagreeing. Counts live in memory and on disk; `ready()` builds the indexes of an older store
 * (migration) and loads the counts once, before the first write or read goes through.
 */
export class IncidentIndex implements Component {
  /** One per open store: the counts are the store's, shared by every service that writes it. */
  private static readonly perStore = new WeakMap<Database, IncidentIndex>();

  static of(database: Database, log: Logger): IncidentIndex {
    let index = IncidentIndex.perStore.get(database);
    if (!index) {
      index = new IncidentIndex(database, log);
      IncidentIndex.perStore.set(database, index);
    }
    return index;
  }

  readonly name = "incident-index";
  private readonly counts = new Map<string, number>();
  private loading: Promise<void> | undefined;
  private loaded = false;
  private progress: { done: number; total: number } | undefined;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    private readonly migration: MigrationOptions = {},
  ) {}

  /** At the daemon's start: migrates an older store, with progress in the log. */
  async start(): Promise<void> {
    await this.ready();
  }

  /** Forgets the counts; the next use reads them again (after the store was reopened or cleared). */
  async stop(): Promise<void> {
    this.loading = undefined;
    this.loaded = false;
    this.progress = undefined;
    this.counts.clear();
  }

  ready(): Promise<void> {
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  /** Entries and counts for `previous` replaced by `next` (undefined: deleted); undo if the batch fails. */
  prepare(previous: Incident | undefined, next: Incident | undefined): { ops: WriteOp[]; undo: () => void } {
    const idx = this.database.sublevels.incident_idx;
    const before = previous ? entriesOf(previous) : [];
    const after = next ? entriesOf(next) : [];
    const kept = new Set(after.map((e) => e.key));
    const ops: WriteOp[] = before
      .filter((e) => !kept.has(e.key))
      .map((e) => ({ type: "del", sublevel: idx, key: e.key }));
    if (next) {
      const value: IndexValue = indexValue(next);
      for (const e of after) ops.push({ type: "put", sublevel: idx, key: e.key, value });
    }
    const delta = new Map<string, number>();
    for (const [counter, n] of previous ? countersOf(previous) : []) delta.set(counter, (delta.get(counter) ?? 0) - n);
    for (const [counter, n] of next ? countersOf(next) : []) delta.set(counter, (delta.get(counter) ?? 0) + n);
    const restore: Array<[string, number | undefined]> = [];
    for (const [counter, d] of delta) {
      if (d === 0) continue;
      const was = this.counts.get(counter);
      restore.push([counter, was]);
      const now = (was ?? 0) + d;
      if (now > 0) this.counts.set(counter, now);
      else this.counts.delete(counter);
      ops.push(
        now > 0
          ? { type: "put", sublevel: idx, key: counter, value: now }
          : { type: "del", sublevel: idx, key: counter },
      );
    }
    return {
      ops,
      undo: () => {
        for (const [counter, was] of restore.reverse()) {
          if (was === undefined) this.counts.delete(counter);
          else this.counts.set(counter, was);
        }
      },
    };
  }

  /** Incidents in each status, as committed (kept incrementally, never counted by a scan). */
  async statusCounts(): Promise<Partial<Record<IncidentStatus, number>>> {
    await this.ready();
    const out: Partial<Record<IncidentStatus, number>> = {};
    for (const [key, n] of this.counts)
      if (key.startsWith("n!s!")) out[decodeURIComponent(key.slice(4)) as IncidentStatus] = n;
    return out;
  }

  /** The stored bytes of every incident, as retention weighs them (kept incrementally). */
  totalBytes(): number {
    return this.counts.get(BYTES_KEY) ?? 0;
  }

  /** How many incidents an index value holds (`count("c", "lobby")`). */
  count(dim: "s" | "c" | "r" | "z", value: string): number {
    return this.counts.get(countKey(dim, value)) ?? 0;
  }

  /**
   * A page, newest first: walks the most selective index's range, checks the other filters on
   * the entries' values, and reads only the page's incidents. The cursor is the sort key.
   */
  async list(q: IncidentPageQuery): Promise<IncidentPage> {
    await this.ready();
    const plan = planWalk(q, (counter) => this.counts.get(counter) ?? 0);
    if (!plan) return { incidents: [], next_cursor: null };
    const ids: string[] = [];
    const keys: string[] = [];
    const it = this.database.sublevels.incident_idx.iterator({ gte: plan.gte, lt: plan.lt, reverse: true });
    try {
      for await (const [key, value] of it) {
        const sk = key.slice(plan.prefixLength);
        if (!matchesFields(value as IndexValue, q)) continue;
        keys.push(sk);
        ids.push(sk.slice(sk.indexOf("|") + 1));
        if (ids.length > q.limit) break;
      }
    } finally {
      await it.close();
    }
    const more = ids.length > q.limit;
    const pageKeys = keys.slice(0, q.limit);
    const wanted = new Set(pageKeys);
    const found = (await this.database.sublevels.incidents.getMany(ids.slice(0, q.limit))) as Array<
      Incident | undefined
    >;
    // An incident deleted or changed between the walk and the read is left out, never shown unfiltered.
    const incidents = found.filter(
      (i): i is Incident =>
        i !== undefined && matchesIncident(i, { ...q, cursor: undefined }) && wanted.has(sortKey(i)),
    );
    return { incidents, next_cursor: more ? (pageKeys.at(-1) ?? null) : null };
  }

  /** For readiness: undefined once listings and writes can go through, otherwise why not. */
  notReady(): string | undefined {
    if (this.loaded) return undefined;
    const p = this.progress;
    return p
      ? `migrating: building incident indexes (${p.done} of ${p.total} incidents)`
      : "incident indexes not loaded yet";
  }

  private async load(): Promise<void> {
    await migrateIncidentIndex(this.database, this.log, {
      ...this.migration,
      onProgress: (done, total) => {
        this.progress = { done, total };
        this.migration.onProgress?.(done, total);
      },
    });
    this.counts.clear();
    for await (const [key, value] of this.database.sublevels.incident_idx.iterator({ gte: "n!", lt: "n!\uffff" }))
      this.counts.set(key, value as number);
    this.loaded = true;
  }
}
