import type { Component } from "../core/lifecycle.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";
import { sourceKey } from "./source-key.js";

export interface LockoutPolicy {
  /** Failures from one source (IPv6: one /64) within the window that lock the account for that source. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** The first lock's length; each further lock of the same account and source doubles it. */
  readonly lockMs: number;
  /** The longest a lock grows to. */
  readonly maxLockMs?: number;
  /** Failures from all sources together within the window that lock the account for everyone. */
  readonly userMaxFailures?: number;
}

interface LockoutRecord {
  readonly failures: readonly number[];
  readonly locked_until: number | null;
  /** Locks so far (per account and source): the next one lasts lockMs * 2^locks. */
  readonly locks?: number;
}

/** Pure: the record after one more failure at `now`, and whether that failure locked. */
export function afterFailure(
  record: LockoutRecord | undefined,
  now: number,
  policy: { maxFailures: number; windowMs: number; lockMs: number; maxLockMs?: number | undefined },
): { record: LockoutRecord; lockedNow: boolean } {
  const recent = (record?.failures ?? []).filter((t) => now - t < policy.windowMs);
  const failures = [...recent, now].slice(-policy.maxFailures);
  const locks = record?.locks ?? 0;
  const alreadyLocked = record?.locked_until !== undefined && record.locked_until !== null && record.locked_until > now;
  if (alreadyLocked) return { record: { failures, locked_until: record.locked_until, locks }, lockedNow: false };
  if (failures.length < policy.maxFailures)
    return { record: { failures, locked_until: null, locks }, lockedNow: false };
  const lockFor = Math.min(policy.lockMs * 2 ** Math.min(locks, 30), policy.maxLockMs ?? Number.POSITIVE_INFINITY);
  return { record: { failures: [], locked_until: now + lockFor, locks: locks + 1 }, lockedNow: true };
}

const pairKey = (username: string, source: string): string => `${username}@${sourceKey(source)}`;

/**
 * Lockout per account and source address, so a stranger cannot lock `admin` out from everywhere:
 * N failures from one source (an IPv6 /64 counts as one) within a window lock the account for
 * that source, each further lock twice as long; and a ceiling for all sources together locks the
 * account for everyone. Persisted with fsync, so a restart does not hand out fresh attempts.
 */
export class LoginLockout implements Component {
  readonly name = "lockout";
  private readonly records = new Map<string, LockoutRecord>();

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    private readonly policy: LockoutPolicy,
  ) {}

  async start(): Promise<void> {
    this.records.clear();
    for await (const [key, value] of this.database.sublevels.lockout.iterator())
      this.records.set(key, value as LockoutRecord);
  }

  async stop(): Promise<void> {}

  /** Epoch ms until which the account is locked for this source (or for everyone), or undefined. */
  lockedUntil(username: string, source: string, now: number): number | undefined {
    const until = Math.max(
      this.records.get(pairKey(username, source))?.locked_until ?? 0,
      this.records.get(username)?.locked_until ?? 0,
    );
    return until > now ? until : undefined;
  }

  async recordFailure(
    username: string,
    source: string,
    now: number,
  ): Promise<{ lockedNow: boolean; lockedUntil: number | undefined; scope: "source" | "account" }> {
    const key = pairKey(username, source);
    const pair = afterFailure(this.records.get(key), now, this.policy);
    const ceiling = this.policy.userMaxFailures ?? this.policy.maxFailures * 10;
    const user = afterFailure(this.records.get(username), now, {
      maxFailures: ceiling,
      windowMs: this.policy.windowMs,
      lockMs: this.policy.lockMs,
    });
    await this.commits.commit([
      { type: "put", sublevel: this.database.sublevels.lockout, key, value: pair.record },
      { type: "put", sublevel: this.database.sublevels.lockout, key: username, value: user.record },
    ]);
    this.records.set(key, pair.record);
    this.records.set(username, user.record);
    const scope = user.lockedNow ? "account" : "source";
    return { lockedNow: pair.lockedNow || user.lockedNow, lockedUntil: this.lockedUntil(username, source, now), scope };
  }

  /** With a source: a successful login forgets that source's record. Without: an admin's reset, or a deletion, lifts every lock of the account. */
  async clear(username: string, source?: string): Promise<void> {
    const keys =
      source === undefined
        ? [...this.records.keys()].filter((k) => k === username || k.startsWith(`${username}@`))
        : [pairKey(username, source)].filter((k) => this.records.has(k));
    if (keys.length === 0) return;
    await this.commits.commit(
      keys.map((key) => ({ type: "del" as const, sublevel: this.database.sublevels.lockout, key })),
    );
    for (const k of keys) this.records.delete(k);
  }
}
