import type { AuditRecorder } from "../contract/audit.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { GroupCommit, WriteOp } from "../store/group-commit.js";
import type { IncidentIndex } from "./incident-index.js";
import type { IncidentWriteHook } from "./incident-service.js";
import type { RetentionPolicy } from "./retention.js";
import { indexedCandidates } from "./retention-candidates.js";
import type { SnapshotStore } from "./snapshot-store.js";

/** Ids named in one audit entry; a bigger sweep names the first ones and counts the rest. */
const IDS_PER_ENTRY = 200;

/**
 * Deletes finished incidents by age and disk budget on a timer, never an open or under-review
 * one, and records what it deleted in the audit chain in the same fsynced batch as the deletion.
 */
export class RetentionJob implements Component {
  readonly name = "retention";
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: {
      database: Database;
      commits: GroupCommit;
      audit: AuditRecorder;
      policy: RetentionPolicy;
      intervalMs: number;
      log: Logger;
      now?: () => number;
      /** The incidents' indexes: a deletion takes the incident's entries and counts with it. */
      index: IncidentIndex;
      /** The KPI day rollups: a deletion takes the incident out of its day, in the same batch. */
      rollups?: IncidentWriteHook;
      /** Where the incidents' snapshots are: deleted with their incident, counted in its bytes. */
      snapshots?: SnapshotStore;
    },
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((err: unknown) => this.deps.log.error({ err }, "retention sweep failed"))
        .finally(() => {
          this.running = undefined;
        });
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * One sweep now; resolves with what was deleted. Finds its candidates through the end-time
   * index (retention-candidates.ts), so it reads what it deletes, not what the store keeps.
   */
  async sweep(): Promise<{ byAge: number; byBudget: number }> {
    const now = (this.deps.now ?? Date.now)();
    const sub = this.deps.database.sublevels.incidents;
    const { plan, incidents: known } = await indexedCandidates(
      this.deps.database,
      this.deps.index,
      this.deps.policy,
      now,
    );
    await this.removeOrphanedSnapshots(now);
    const ids = [...plan.byAge, ...plan.byBudget];
    if (ids.length === 0) return { byAge: 0, byBudget: 0 };
    // Queued in one tick: the deletion and its audit entry share a batch, so neither exists without the other.
    // The index changes are built in commit order, like every incident write's, and undone if the batch fails.
    const undos: Array<() => void> = [];
    const deleted = this.deps.commits.commit({
      prepare: () =>
        ids.flatMap((id): WriteOp[] => {
          const incident = known.get(id);
          const indexed = incident ? this.deps.index.prepare(incident, undefined) : { ops: [], undo: () => {} };
          undos.push(indexed.undo);
          const rolled =
            incident && this.deps.rollups
              ? this.deps.rollups.prepare(incident, undefined)
              : { ops: [], undo: () => {} };
          undos.push(rolled.undo);
          return [{ type: "del", sublevel: sub, key: id }, ...indexed.ops, ...rolled.ops];
        }),
      abort: () => {
        for (const undo of undos.reverse()) undo();
      },
    });
    const audited = this.deps.audit.record({
      actor: "system",
      action: "retention.deleted",
      target: "incidents",
      result: "ok",
      details: {
        by_age: plan.byAge.length,
        by_budget: plan.byBudget.length,
        ids: ids.slice(0, IDS_PER_ENTRY),
        more: Math.max(0, ids.length - IDS_PER_ENTRY),
        bytes_after: plan.bytesAfter,
        policy: { max_age_days: this.deps.policy.maxAgeDays, max_bytes: this.deps.policy.maxBytes },
      },
    });
    await Promise.all([deleted, audited]);
    // After the incidents are gone: a crash in between leaves orphaned files, which the next sweep removes.
    for (const id of ids) await this.deps.snapshots?.remove(id);
    this.deps.log.info(
      { byAge: plan.byAge.length, byBudget: plan.byBudget.length },
      "retention deleted finished incidents",
    );
    return { byAge: plan.byAge.length, byBudget: plan.byBudget.length };
  }

  /** Snapshot directories whose incident is gone: only those directories' ids are looked up. */
  private async removeOrphanedSnapshots(now: number): Promise<void> {
    const snapshots = this.deps.snapshots;
    if (!snapshots) return;
    const dirs = await snapshots.ids();
    const found: unknown[] = await this.deps.database.sublevels.incidents.getMany(dirs);
    const present = new Set(dirs.filter((_, k) => found[k] !== undefined));
    for (const id of await snapshots.orphans(present, now)) await snapshots.remove(id);
  }
}
