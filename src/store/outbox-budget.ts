import type { StreamName } from "../contract/envelope.js";

export { OUTBOX_POLICIES, type OutboxPolicy } from "../contract/outbox.js";

export interface Admission {
  readonly accept: boolean;
  /** Keys of queued alerts to delete in the same batch, oldest first. */
  readonly drop: readonly string[];
}

export interface BudgetEntry {
  readonly stream: StreamName;
  readonly bytes: number;
  readonly ts: number;
}

/**
 * Byte accounting for the outbox, and the admission decision for each new message. Pure state:
 * the outbox applies a decision inside its write batch and calls `commit`/`release` once it knows
 * what reached the disk. Entries are kept in insertion order, which is seq order per stream, so
 * "oldest" is simply "first".
 */
export class OutboxBudget {
  private readonly entries = new Map<string, BudgetEntry>();
  private readonly bytesByStream = new Map<StreamName, number>();
  private readonly countByStream = new Map<StreamName, number>();
  private total = 0;

  /**
   * `maxBytes` is the room incidents and alerts share; audit has a budget of its own
   * (`auditMaxBytes`) and never takes theirs, so refusals audited from a few addresses while the
   * uplink is down cannot crowd out incidents. Audit over its own budget is still kept (the chain
   * must stay whole); `auditOverBudget` says so.
   */
  constructor(
    readonly maxBytes: number,
    readonly auditMaxBytes = Number.POSITIVE_INFINITY,
  ) {}

  get usedBytes(): number {
    return this.total;
  }

  /** Bytes counted against `maxBytes`: everything but audit. */
  get sharedBytes(): number {
    return this.total - this.bytes("audit");
  }

  get auditOverBudget(): boolean {
    return this.bytes("audit") > this.auditMaxBytes;
  }

  bytes(stream: StreamName): number {
    return this.bytesByStream.get(stream) ?? 0;
  }

  /** Messages of `stream` waiting for central. */
  depth(stream: StreamName): number {
    return this.countByStream.get(stream) ?? 0;
  }

  /** `ts` of the oldest message of each stream that has one; one walk, stopping once all are found. */
  oldest(streams: readonly StreamName[]): Map<StreamName, number> {
    const found = new Map<StreamName, number>();
    const wanted = streams.filter((st) => this.depth(st) > 0).length;
    for (const entry of this.entries.values()) {
      if (found.size >= wanted) break;
      if (!found.has(entry.stream)) found.set(entry.stream, entry.ts);
    }
    return found;
  }

  /** Decides on a new message of `bytes`; changes nothing. `force` bypasses the budget. */
  admit(stream: StreamName, bytes: number, force = false): Admission {
    const shared = this.sharedBytes;
    if (force || stream === "audit" || shared + bytes <= this.maxBytes) return { accept: true, drop: [] };
    const drop: string[] = [];
    let freed = 0;
    for (const [key, entry] of this.entries) {
      if (shared - freed + bytes <= this.maxBytes) break;
      if (entry.stream !== "alerts") continue;
      drop.push(key);
      freed += entry.bytes;
    }
    return shared - freed + bytes <= this.maxBytes ? { accept: true, drop } : { accept: false, drop: [] };
  }

  /** Records a message that is now on disk. */
  add(key: string, stream: StreamName, bytes: number, ts: number): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, { stream, bytes, ts });
    this.bytesByStream.set(stream, this.bytes(stream) + bytes);
    this.countByStream.set(stream, this.depth(stream) + 1);
    this.total += bytes;
  }

  /** Forgets a message that left the outbox (acknowledged, dropped, or expired). */
  remove(key: string): BudgetEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.bytesByStream.set(entry.stream, this.bytes(entry.stream) - entry.bytes);
    this.countByStream.set(entry.stream, this.depth(entry.stream) - 1);
    this.total -= entry.bytes;
    return entry;
  }

  /** Keys of `stream` older than `before` (ms since the epoch), oldest first. */
  expired(stream: StreamName, before: number): string[] {
    const keys: string[] = [];
    for (const [key, entry] of this.entries) if (entry.stream === stream && entry.ts < before) keys.push(key);
    return keys;
  }
}
