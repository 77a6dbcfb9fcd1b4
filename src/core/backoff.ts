/**
 * Reconnect delays for cameras and uplinks. Pure: the random source is injected so the schedule
 * can be property-tested. "Full jitter" keeps many gateways (or cameras) from retrying in step
 * after a shared outage.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0 = no jitter, 1 = delay uniformly drawn from [0, ceiling]. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.5 };

/** Ceiling for the given attempt (0-based), before jitter. */
export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  const exp = policy.initialMs * policy.factor ** Math.max(0, attempt);
  return Math.min(policy.maxMs, Number.isFinite(exp) ? exp : policy.maxMs);
}

/** Delay for the given attempt; `random` returns a value in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(policy, attempt);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const floor = ceiling * (1 - jitter);
  return Math.round(floor + (ceiling - floor) * random());
}

/** Stateful attempt counter that forgets failures once a connection has been stable long enough. */
export class Backoff {
  private attempt = 0;
  private stableSince: number | undefined;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly resetAfterMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const delay = backoffDelay(this.policy, this.attempt, this.random);
    this.attempt += 1;
    return delay;
  }

  /** Call when the connection came up; `now` is injectable for tests. */
  markUp(now = Date.now()): void {
    this.stableSince = now;
  }

  /** Call when the connection dropped; resets the schedule if it had been up long enough. */
  markDown(now = Date.now()): void {
    if (this.stableSince !== undefined && now - this.stableSince >= this.resetAfterMs) this.attempt = 0;
    this.stableSince = undefined;
  }

  get attempts(): number {
    return this.attempt;
  }
}
