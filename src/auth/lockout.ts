import type { Component } from "../core/lifecycle.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";

export interface LockoutPolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

interface LockoutRecord {
  readonly failures: readonly number[];
  readonly locked_until: number | null;
}

/** Pure: the record after one more failure at `now`, and whether that failure locked the account. */
export function afterFailure(record: LockoutRecord | undefined, now: number, policy: LockoutPolicy): { record: LockoutRecord; lockedNow: boolean } {
  const recent = (record?.failures ?? []).filter((t) => now - t < policy.windowMs);
  const failures = [...recent, now].slice(-policy.maxFailures);
  const alreadyLocked = record?.locked_until !== undefined && record.locked_until !== null && record.locked_until > now;
  if (alreadyLocked) return { record: { failures, locked_until: record.locked_until }, lockedNow: false };
  const lock = failures.length >= policy.maxFailures;
  return { record: { failures: lock ? [] : failures, locked_until: lock ? now + policy.lockMs : null }, lockedNow: lock };
}

/**
 * Per-account lockout (N failures within a window lock the account for a while), persisted with
 * fsync so restarting the daemon, or crashing it on purpose, does not hand out fresh attempts.
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
    for await (const [key, value] of this.database.sublevels.lockout.iterator()) this.records.set(key, value as LockoutRecord);
  }

  async stop(): Promise<void> {}

  /** Epoch ms until which the account is locked, or undefined. */
  lockedUntil(username: string, now: number): number | undefined {
    const until = this.records.get(username)?.locked_until;
    return until !== undefined && until !== null && until > now ? until : undefined;
  }

  async recordFailure(username: string, now: number): Promise<{ lockedNow: boolean; lockedUntil: number | undefined }> {
    const { record, lockedNow } = afterFailure(this.records.get(username), now, this.policy);
    await this.commits.commit([{ type: "put", sublevel: this.database.sublevels.lockout, key: username, value: record }]);
    this.records.set(username, record);
    return { lockedNow, lockedUntil: record.locked_until ?? undefined };
  }

  /** A successful login (or an admin's password reset) forgets the failures. */
  async clear(username: string): Promise<void> {
    if (!this.records.has(username)) return;
    await this.commits.commit([{ type: "del", sublevel: this.database.sublevels.lockout, key: username }]);
    this.records.delete(username);
  }
}
