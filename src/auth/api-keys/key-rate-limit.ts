/**
 * Per-key request limits: fixed windows of a minute and an hour, aligned to the clock so that
 * `Retry-After` and `X-RateLimit-Reset` are exact. A refused request takes nothing from the budget,
 * so a camera that backs off for the advised time is let in again.
 */
export interface KeyLimits {
  readonly per_minute: number;
  readonly per_hour: number;
}

export const RATE_WINDOWS = [
  { name: "minute", ms: 60_000, limit: (l: KeyLimits) => l.per_minute },
  { name: "hour", ms: 3_600_000, limit: (l: KeyLimits) => l.per_hour },
] as const;

export type WindowName = (typeof RATE_WINDOWS)[number]["name"];

interface WindowCount {
  readonly start: number;
  readonly count: number;
}

/** One count per entry of RATE_WINDOWS, in that order. */
export type RateState = readonly WindowCount[];

export interface WindowStatus {
  readonly window: WindowName;
  readonly limit: number;
  readonly remaining: number;
  /** Epoch ms at which this window's count starts again from zero. */
  readonly resetAt: number;
}

export type RateDecision =
  | { readonly ok: true; readonly windows: readonly WindowStatus[] }
  | { readonly ok: false; readonly retryAfterS: number; readonly windows: readonly WindowStatus[] };

function current(state: RateState | undefined, i: number, ms: number, now: number): WindowCount {
  const aligned = Math.floor(now / ms) * ms;
  const prior = state?.[i];
  // A clock set back keeps the window it was in rather than handing out a fresh budget.
  return prior && prior.start >= aligned ? prior : { start: aligned, count: 0 };
}

/** Pure: the decision for one request at `now` (epoch ms) and the state after it. */
export function takeRequest(
  state: RateState | undefined,
  limits: KeyLimits,
  now: number,
): { state: RateState; decision: RateDecision } {
  const counts = RATE_WINDOWS.map((w, i) => current(state, i, w.ms, now));
  const full = RATE_WINDOWS.map((w, i) => (counts[i]?.count ?? 0) >= w.limit(limits));
  const ok = !full.includes(true);
  const next = ok ? counts.map((c) => ({ start: c.start, count: c.count + 1 })) : counts;
  const windows = RATE_WINDOWS.map((w, i): WindowStatus => {
    const c = next[i] ?? { start: now, count: 0 };
    const limit = w.limit(limits);
    return { window: w.name, limit, remaining: Math.max(0, limit - c.count), resetAt: c.start + w.ms };
  });
  if (ok) return { state: next, decision: { ok: true, windows } };
  // Every full window must have rolled over before a retry can pass.
  const waitMs = Math.max(...windows.filter((_, i) => full[i]).map((w) => w.resetAt - now));
  return { state: next, decision: { ok: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)), windows } };
}

/** The in-memory counters of every key; lost on restart, which at worst grants one fresh window. */
export class KeyRateLimiter {
  private readonly states = new Map<string, RateState>();

  take(keyId: string, limits: KeyLimits, now: number): RateDecision {
    const { state, decision } = takeRequest(this.states.get(keyId), limits, now);
    this.states.set(keyId, state);
    return decision;
  }

  forget(keyId: string): void {
    this.states.delete(keyId);
  }

  get size(): number {
    return this.states.size;
  }
}
