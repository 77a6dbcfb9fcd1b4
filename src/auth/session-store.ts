import { KeyedSerialQueue } from "../core/serial-queue.js";
import { timingSafeEqual } from "node:crypto";
import type { Component } from "../core/lifecycle.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";
import { newRefreshToken, newSessionId } from "./refresh-token.js";

export interface SessionRecord {
  readonly id: string;
  readonly username: string;
  readonly user_agent: string;
  readonly source: string;
  readonly created_at: number;
  readonly last_activity_at: number;
  /** Absolute end of the family, however active it stays. */
  readonly expires_at: number;
  readonly refresh_digest: string;
  /** Digests of refresh tokens already exchanged: presenting one again is a theft signal. */
  readonly used_digests: readonly string[];
  readonly ended_at: number | null;
  readonly end_reason: string | null;
}

export type RotateOutcome =
  | { kind: "rotated"; session: SessionRecord; refreshToken: string }
  | { kind: "reused"; session: SessionRecord }
  | { kind: "invalid"; reason: "unknown_session" | "ended" | "expired" | "idle" | "mismatch" };

export interface SessionPolicy {
  readonly absoluteMs: number;
  readonly idleMs: number;
}

/** Enough history to recognise a replayed token long after it was rotated out. */
const USED_DIGESTS_KEPT = 50;

function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Login sessions, one per refresh-token family. A rotation is fsynced before the new token is
 * handed out: after a crash the client's token still matches, so a restart never looks like theft.
 * Activity from access-token use is kept in memory and written lazily; only idle expiry reads it.
 */
export class SessionStore implements Component {
  readonly name = "sessions";
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    private readonly policy: SessionPolicy,
  ) {}

  async start(): Promise<void> {
    this.sessions.clear();
    for await (const [key, value] of this.database.sublevels.sessions.iterator())
      this.sessions.set(key, value as SessionRecord);
  }

  async stop(): Promise<void> {
    await this.flushActivity();
  }

  get(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  /** Why a session cannot be used at `now`, or undefined if it can. */
  unusable(
    session: SessionRecord | undefined,
    now: number,
  ): "unknown_session" | "ended" | "expired" | "idle" | undefined {
    if (!session) return "unknown_session";
    if (session.ended_at !== null) return "ended";
    if (now >= session.expires_at) return "expired";
    if (now - session.last_activity_at >= this.policy.idleMs) return "idle";
    return undefined;
  }

  listFor(username: string, now: number): SessionRecord[] {
    return [...this.sessions.values()]
      .filter((s) => s.username === username && this.unusable(s, now) === undefined)
      .sort((a, b) => a.created_at - b.created_at);
  }

  async create(
    username: string,
    userAgent: string,
    source: string,
    now: number,
  ): Promise<{ session: SessionRecord; refreshToken: string }> {
    const id = newSessionId();
    const { token, digest } = newRefreshToken(id);
    const session: SessionRecord = {
      id,
      username,
      user_agent: userAgent.slice(0, 256),
      source,
      created_at: now,
      last_activity_at: now,
      expires_at: now + this.policy.absoluteMs,
      refresh_digest: digest,
      used_digests: [],
      ended_at: null,
      end_reason: null,
    };
    await this.save(session);
    return { session, refreshToken: token };
  }

  /** Rotations in progress per session: two uses of one token must not both read the old state. */
  private readonly rotations = new KeyedSerialQueue<string>();

  /**
   * Rotates a session's refresh token. Serialised per session: of two concurrent uses of one
   * token the first rotates and the second finds it used (`reused`, which ends the family), never
   * both rotating, nor the second reading as a mere mismatch.
   */
  rotate(sessionId: string, presentedDigest: string, now: number): Promise<RotateOutcome> {
    return this.rotations.run(sessionId, () => this.rotateNow(sessionId, presentedDigest, now));
  }

  private async rotateNow(sessionId: string, presentedDigest: string, now: number): Promise<RotateOutcome> {
    const session = this.sessions.get(sessionId);
    if (session && session.used_digests.some((d) => sameDigest(d, presentedDigest))) return { kind: "reused", session };
    const why = this.unusable(session, now);
    if (why || !session) return { kind: "invalid", reason: why ?? "unknown_session" };
    if (!sameDigest(session.refresh_digest, presentedDigest)) return { kind: "invalid", reason: "mismatch" };
    const { token, digest } = newRefreshToken(sessionId);
    const next: SessionRecord = {
      ...session,
      refresh_digest: digest,
      used_digests: [...session.used_digests, session.refresh_digest].slice(-USED_DIGESTS_KEPT),
      last_activity_at: now,
    };
    await this.save(next);
    return { kind: "rotated", session: next, refreshToken: token };
  }

  touch(sessionId: string, now: number): void {
    const s = this.sessions.get(sessionId);
    if (!s || s.ended_at !== null) return;
    this.sessions.set(sessionId, { ...s, last_activity_at: now });
    this.dirty.add(sessionId);
  }

  private readonly endListeners = new Set<(ended: readonly SessionRecord[]) => void>();

  /** Told of sessions once their end is on disk (logout, revocation, disable, password change). */
  onEnded(listener: (ended: readonly SessionRecord[]) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Ends sessions; returns those that were still open. */
  async end(ids: readonly string[], reason: string, now: number): Promise<SessionRecord[]> {
    const ended = ids
      .map((id) => this.sessions.get(id))
      .filter((s): s is SessionRecord => s !== undefined && s.ended_at === null)
      .map((s) => ({ ...s, ended_at: now, end_reason: reason }));
    if (ended.length === 0) return [];
    await this.commits.commit(
      ended.map((s) => ({ type: "put" as const, sublevel: this.database.sublevels.sessions, key: s.id, value: s })),
    );
    for (const s of ended) this.sessions.set(s.id, s);
    for (const listener of this.endListeners) listener(ended);
    return ended;
  }

  async endAllFor(username: string, reason: string, now: number, except?: string): Promise<SessionRecord[]> {
    const ids = [...this.sessions.values()]
      .filter((s) => s.username === username && s.ended_at === null && s.id !== except)
      .map((s) => s.id);
    return this.end(ids, reason, now);
  }

  /** Forgets sessions that can never be used again (kept a while so replays are still recognised). */
  async sweep(now: number): Promise<number> {
    const dead = [...this.sessions.values()].filter(
      (s) =>
        now >= s.expires_at + this.policy.absoluteMs ||
        (s.ended_at !== null && now - s.ended_at >= this.policy.absoluteMs),
    );
    if (dead.length === 0) return 0;
    await this.commits.commit(
      dead.map((s) => ({ type: "del" as const, sublevel: this.database.sublevels.sessions, key: s.id })),
    );
    for (const s of dead) this.sessions.delete(s.id);
    return dead.length;
  }

  async flushActivity(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    const records = ids.map((id) => this.sessions.get(id)).filter((s): s is SessionRecord => s !== undefined);
    if (records.length === 0) return;
    await this.commits.commit(
      records.map((s) => ({ type: "put" as const, sublevel: this.database.sublevels.sessions, key: s.id, value: s })),
    );
  }

  private async save(session: SessionRecord): Promise<void> {
    await this.commits.commit([
      { type: "put", sublevel: this.database.sublevels.sessions, key: session.id, value: session },
    ]);
    this.sessions.set(session.id, session);
    this.dirty.delete(session.id);
  }
}
