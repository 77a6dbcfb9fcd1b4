import type { Component } from "../core/lifecycle.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Database, Sublevel } from "./database.js";

export type WriteOp =
  { type: "put"; sublevel: Sublevel; key: string; value: unknown } | { type: "del"; sublevel: Sublevel; key: string };

/**
 * A write whose ops are built when its batch is built, in commit order. The outbox uses it to
 * number messages only once they are about to be written, and to take the numbers back if the
 * batch fails, so a failed write never leaves a gap in a stream's seq.
 */
export interface PreparedWrite {
  prepare(): WriteOp[];
  abort(): void;
}

interface Pending {
  write: PreparedWrite;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function invalidOp(op: WriteOp): string | undefined {
  if (typeof op.key !== "string" || op.key.length === 0) return "empty key";
  if (op.type === "put" && (op.value === undefined || op.value === null)) return `no value for key ${op.key}`;
  return undefined;
}

const fixed = (ops: WriteOp[]): PreparedWrite => ({ prepare: () => ops, abort: () => {} });

/** Watches the batches for a store that cannot write (StoreSpace): told of failures, may hold batches back. */
export interface WriteGuard {
  /** An error to fail a batch with, without trying it, while the store is known not to write. */
  blocked(): Error | undefined;
  /** A batch failed in LevelDB (its owners have been told). */
  failed(err: unknown, ops: readonly WriteOp[]): void;
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
  private failedBatches = 0;
  private committed = 0;

  /** Set by the composition root (StoreSpace); none in tests of other parts. */
  guard: WriteGuard | undefined;

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {}

  /** Waits for what was already queued; new commits after stop are still served while the db is open. */
  async stop(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  commit(write: WriteOp[] | PreparedWrite): Promise<void> {
    const prepared = Array.isArray(write) ? fixed(write) : write;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ write: prepared, resolve, reject });
      if (!this.flushing) this.flushing = this.drain();
    });
  }

  /** Batches that finished, written or failed: the watchdog's sign that the store loop moves. */
  get settledBatches(): number {
    return this.batches + this.failedBatches;
  }

  /** A batch is being built or synced. */
  get busy(): boolean {
    return this.flushing !== undefined;
  }

  get stats(): { batches: number; commits: number } {
    return { batches: this.batches, commits: this.committed };
  }

  private async drain(): Promise<void> {
    // Let writers of the same tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const group: Pending[] = [];
      const ops: WriteOp[] = [];
      // A malformed write is refused on its own; it must not fail the others sharing its batch.
      for (const pending of this.queue.splice(0)) {
        let built: WriteOp[];
        try {
          built = pending.write.prepare();
        } catch (err) {
          pending.write.abort();
          pending.reject(err);
          continue;
        }
        const problem = built.map(invalidOp).find((p) => p !== undefined);
        if (problem) {
          pending.write.abort();
          pending.reject(new VigilError(ErrorCodes.INTERNAL, `refused write: ${problem}`));
          continue;
        }
        group.push(pending);
        ops.push(...built);
      }
      if (group.length === 0) continue;
      try {
        const blocked = this.guard?.blocked();
        if (blocked) throw blocked;
        try {
          await this.database.level.batch(ops, { sync: true });
        } catch (err) {
          this.guard?.failed(err, ops);
          // A full volume answers as such (507 with Retry-After), not as an internal error.
          throw this.guard?.blocked() ?? err;
        }
        this.batches += 1;
        this.committed += group.length;
        for (const p of group) p.resolve();
      } catch (err) {
        // Taken back newest first, so each owner can rewind counters to where the batch began.
        this.failedBatches += 1;
        for (const p of [...group].reverse()) p.write.abort();
        for (const p of group) p.reject(err);
      }
    }
    this.flushing = undefined;
  }
}
