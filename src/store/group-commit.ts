import type { Component } from "../core/lifecycle.js";
import type { Database, Sublevel } from "./database.js";

export type WriteOp =
  | { type: "put"; sublevel: Sublevel; key: string; value: unknown }
  | { type: "del"; sublevel: Sublevel; key: string };

interface Pending {
  ops: WriteOp[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Durable writes with fsync, amortised: every `commit()` issued while a batch is being synced joins
 * the next batch, so N concurrent writers cost about two fsyncs, not N. A commit resolves only
 * after its batch is on disk, and each commit's ops land atomically (one LevelDB batch).
 */
export class GroupCommit implements Component {
  readonly name = "group-commit";
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private batches = 0;
  private committed = 0;

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {}

  /** Waits for what was already queued; new commits after stop are still served while the db is open. */
  async stop(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  commit(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      if (!this.flushing) this.flushing = this.drain();
    });
  }

  get stats(): { batches: number; commits: number } {
    return { batches: this.batches, commits: this.committed };
  }

  private async drain(): Promise<void> {
    // Let writers of the same tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        await this.database.level.batch(
          group.flatMap((p) => p.ops),
          { sync: true },
        );
        this.batches += 1;
        this.committed += group.length;
        for (const p of group) p.resolve();
      } catch (err) {
        for (const p of group) p.reject(err);
      }
    }
    this.flushing = undefined;
  }
}
