import type { CommandResult } from "../../contract/command.js";
import type { Component } from "../../core/lifecycle.js";
import type { Database, Sublevel } from "../../store/database.js";
import type { GroupCommit, WriteOp } from "../../store/group-commit.js";

/** The stored outcome of one command id: what a replay of that id gets back. */
export interface StoredCommand {
  readonly name: string;
  readonly result: CommandResult;
  /** The command's own `exp` (seconds); it decides when the entry may be forgotten. */
  readonly exp: number;
}

export interface CommandStoreOptions {
  /**
   * How long after a command's `exp` its result is kept. An expired command is refused anyway, so
   * this only has to outlast the clock tolerance and a gateway clock that is set back.
   */
  retainAfterExpS?: number;
  /** How often start() schedules a prune; 0 leaves pruning to the caller. */
  pruneIntervalMs?: number;
}

const EXP_WIDTH = 13;
const PRUNE_BATCH = 500;
const idKey = (id: string): string => `id!${id}`;
const MAX_EXP = 10 ** EXP_WIDTH - 1;
// Fixed-width decimal seconds, so key order is time order (clamped: "1e+21" would sort wrongly).
const expKey = (exp: number, id: string): string =>
  `exp!${Math.min(MAX_EXP, Math.max(0, Math.ceil(exp)))
    .toString()
    .padStart(EXP_WIDTH, "0")}!${id}`;
const EXP_PREFIX_LENGTH = "exp!".length + EXP_WIDTH + 1;

/**
 * Idempotency for signed commands: the first result of each command id, fsynced (group commit)
 * before it is published, with an index by expiry so old entries can be pruned without a scan.
 */
export class CommandStore implements Component {
  readonly name = "command-store";
  private timer: NodeJS.Timeout | undefined;
  private pruning: Promise<unknown> | undefined;
  private readonly retainAfterExpS: number;
  private readonly pruneIntervalMs: number;

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    options: CommandStoreOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.retainAfterExpS = options.retainAfterExpS ?? 86_400;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 3_600_000;
  }

  async start(): Promise<void> {
    await this.prune(this.now());
    if (this.pruneIntervalMs > 0) {
      this.timer = setInterval(() => {
        // A failed prune is retried next interval; nothing depends on it having run.
        this.pruning ??= this.prune(this.now())
          .catch(() => undefined)
          .finally(() => (this.pruning = undefined));
      }, this.pruneIntervalMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pruning;
  }

  async get(id: string): Promise<StoredCommand | undefined> {
    return (await this.level().get(idKey(id))) as StoredCommand | undefined;
  }

  /** Resolves once the result is on disk. The dispatcher writes each id at most once. */
  async put(id: string, name: string, result: CommandResult, exp: number): Promise<void> {
    const level = this.level();
    const stored: StoredCommand = { name, result, exp };
    await this.commits.commit([
      { type: "put", sublevel: level, key: idKey(id), value: stored },
      { type: "put", sublevel: level, key: expKey(exp, id), value: id },
    ]);
  }

  /** Forgets results whose command expired more than `retainAfterExpS` before `now` (ms); returns how many. */
  async prune(now: number): Promise<number> {
    const level = this.level();
    const cutoff = expKey(Math.floor(now / 1000 - this.retainAfterExpS), "");
    let removed = 0;
    for (;;) {
      const ops: WriteOp[] = [];
      for await (const key of level.keys({ gte: "exp!", lt: cutoff, limit: PRUNE_BATCH })) {
        ops.push(
          { type: "del", sublevel: level, key },
          { type: "del", sublevel: level, key: idKey(key.slice(EXP_PREFIX_LENGTH)) },
        );
      }
      if (ops.length === 0) return removed;
      await this.commits.commit(ops);
      removed += ops.length / 2;
    }
  }

  private level(): Sublevel {
    return this.database.sublevels.commands;
  }
}
