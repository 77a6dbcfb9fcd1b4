import { mkdir } from "node:fs/promises";
import { Level } from "level";
import { emptyState, isStreamState, type StreamState } from "./dedupe.js";

/**
 * The consumer's own LevelDB: `state` holds one StreamState per (site, gateway, stream), `app`
 * is the application's, written in the same synced batch as the state that marks a message
 * delivered. That shared batch is what makes delivery exactly-once across a crash: either the
 * application's effect and the dedupe mark are both on disk, or neither is and the broker, never
 * having had its PUBACK, delivers the message again.
 */

export type AppOp = { type: "put"; key: string; value: unknown } | { type: "del"; key: string };

export class ConsumerStateStore {
  private db: Level<string, unknown> | undefined;
  private readonly cache = new Map<string, StreamState>();

  constructor(private readonly location: string) {}

  async open(): Promise<void> {
    await mkdir(this.location, { recursive: true, mode: 0o700 });
    const db = new Level<string, unknown>(this.location, { valueEncoding: "json" });
    await db.open();
    this.db = db;
  }

  async close(): Promise<void> {
    await this.db?.close();
    this.db = undefined;
    this.cache.clear();
  }

  private get level(): Level<string, unknown> {
    if (!this.db) throw new Error("consumer state store is not open");
    return this.db;
  }

  /** The application's sublevel, for reading what it wrote. */
  get app() {
    return this.level.sublevel<string, unknown>("app", { valueEncoding: "json" });
  }

  private get states() {
    return this.level.sublevel<string, unknown>("state", { valueEncoding: "json" });
  }

  async get(key: string): Promise<StreamState> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const stored = await this.states.get(key);
    const state = isStreamState(stored) ? stored : emptyState();
    this.cache.set(key, state);
    return state;
  }

  /** States in memory (every stream seen since open). */
  cached(): IterableIterator<[string, StreamState]> {
    return this.cache.entries();
  }

  /** Every stored state, for reports. */
  async *all(): AsyncGenerator<[string, StreamState]> {
    for await (const [key, value] of this.states.iterator()) if (isStreamState(value)) yield [key, value];
  }

  /** Writes states and the application's ops as one synced batch, then updates the cache. */
  async commit(states: ReadonlyArray<readonly [string, StreamState]>, appOps: readonly AppOp[] = []): Promise<void> {
    const app = this.app;
    const states_ = this.states;
    await this.level.batch(
      [
        ...states.map(([key, value]) => ({ type: "put" as const, sublevel: states_, key, value })),
        ...appOps.map((op) =>
          op.type === "put"
            ? { type: "put" as const, sublevel: app, key: op.key, value: op.value }
            : { type: "del" as const, sublevel: app, key: op.key },
        ),
      ],
      { sync: true },
    );
    for (const [key, value] of states) this.cache.set(key, value);
  }
}
