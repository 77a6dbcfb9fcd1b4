/**
 * Health of one inference provider, as a pure state machine (the clock is passed in):
 * healthy -> degraded after `failuresToDegraded` consecutive failures -> unhealthy after
 * `failuresToUnhealthy`, kept out for `coolDownMs`, then probed with real work; a failed probe
 * starts a new cool-down, and `successesToHealthy` consecutive successes make it healthy again.
 *
 * Beside `core/health-tracker.ts` (MQTT brokers) rather than inside it: brokers have no degraded
 * stage and back off exponentially per relapse, while a provider has a fixed cool-down and is
 * judged on every frame; the policy shapes are kept alike so the two read the same.
 */
export type ProviderState = "healthy" | "degraded" | "unhealthy";

export interface ProviderHealthPolicy {
  readonly failuresToDegraded: number;
  readonly failuresToUnhealthy: number;
  readonly successesToHealthy: number;
  readonly coolDownMs: number;
  /** Failures are also counted over this sliding window, for the health document. */
  readonly windowMs: number;
  /** Weight of the newest response time in the moving average (0..1]. */
  readonly ewmaAlpha: number;
}

export const DEFAULT_PROVIDER_POLICY: ProviderHealthPolicy = {
  failuresToDegraded: 3,
  failuresToUnhealthy: 5,
  successesToHealthy: 3,
  coolDownMs: 300_000,
  windowMs: 60_000,
  ewmaAlpha: 0.2,
};

export interface ProviderHealth {
  readonly state: ProviderState;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** While unhealthy: not used before this time. */
  readonly downUntil: number;
  readonly runs: number;
  readonly failures: number;
  /** Times of failures still inside the window, oldest first. */
  readonly recentFailures: readonly number[];
  readonly ewmaMs: number | undefined;
  readonly lastMs: number | undefined;
  readonly lastError: string | undefined;
  readonly lastErrorAt: number | undefined;
}

export const INITIAL_PROVIDER_HEALTH: ProviderHealth = {
  state: "healthy",
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  downUntil: 0,
  runs: 0,
  failures: 0,
  recentFailures: [],
  ewmaMs: undefined,
  lastMs: undefined,
  lastError: undefined,
  lastErrorAt: undefined,
};

export interface HealthStep {
  readonly health: ProviderHealth;
  /** Set when the state changed: the event to log and alert on. */
  readonly change?: { readonly from: ProviderState; readonly to: ProviderState };
}

// Bounds memory for a provider failing every frame at a high rate; the count is then a floor.
const MAX_RECENT = 1000;

function step(before: ProviderHealth, after: ProviderHealth): HealthStep {
  return before.state === after.state
    ? { health: after }
    : { health: after, change: { from: before.state, to: after.state } };
}

function recent(h: ProviderHealth, p: ProviderHealthPolicy, now: number, add: boolean): number[] {
  const kept = h.recentFailures.filter((t) => t > now - p.windowMs);
  if (add) kept.push(now);
  return kept.slice(-MAX_RECENT);
}

export function recordSuccess(h: ProviderHealth, p: ProviderHealthPolicy, now: number, ms: number): HealthStep {
  const consecutiveSuccesses = h.consecutiveSuccesses + 1;
  const state = h.state !== "healthy" && consecutiveSuccesses >= p.successesToHealthy ? "healthy" : h.state;
  return step(h, {
    ...h,
    state,
    consecutiveFailures: 0,
    consecutiveSuccesses,
    runs: h.runs + 1,
    recentFailures: recent(h, p, now, false),
    ewmaMs: h.ewmaMs === undefined ? ms : h.ewmaMs + p.ewmaAlpha * (ms - h.ewmaMs),
    lastMs: ms,
  });
}

export function recordFailure(h: ProviderHealth, p: ProviderHealthPolicy, now: number, error: string): HealthStep {
  const consecutiveFailures = h.consecutiveFailures + 1;
  // A failed probe of an unhealthy provider sends it straight back into cool-down.
  const unhealthy = h.state === "unhealthy" || consecutiveFailures >= p.failuresToUnhealthy;
  const state: ProviderState = unhealthy
    ? "unhealthy"
    : consecutiveFailures >= p.failuresToDegraded
      ? "degraded"
      : h.state;
  return step(h, {
    ...h,
    state,
    consecutiveFailures,
    consecutiveSuccesses: 0,
    downUntil: unhealthy ? now + p.coolDownMs : h.downUntil,
    runs: h.runs + 1,
    failures: h.failures + 1,
    recentFailures: recent(h, p, now, true),
    lastError: error,
    lastErrorAt: now,
  });
}

/** The provider cannot serve at all (its session would not load): unhealthy at once, then cool-down. */
export function recordUnavailable(h: ProviderHealth, p: ProviderHealthPolicy, now: number, error: string): HealthStep {
  return step(h, {
    ...h,
    state: "unhealthy",
    consecutiveFailures: Math.max(h.consecutiveFailures + 1, p.failuresToUnhealthy),
    consecutiveSuccesses: 0,
    downUntil: now + p.coolDownMs,
    failures: h.failures + 1,
    recentFailures: recent(h, p, now, true),
    lastError: error,
    lastErrorAt: now,
  });
}

/** Worth sending work to: not unhealthy, or unhealthy with its cool-down over (a probe). */
export function isEligible(h: ProviderHealth, now: number): boolean {
  return h.state !== "unhealthy" || now >= h.downUntil;
}

export function failuresInWindow(h: ProviderHealth, p: ProviderHealthPolicy, now: number): number {
  return h.recentFailures.filter((t) => t > now - p.windowMs).length;
}

/** The alert type for a state change, as it goes out on the `alerts` stream. */
export function alertTypeFor(change: {
  from: ProviderState;
  to: ProviderState;
}): "provider.degraded" | "provider.unhealthy" | "provider.recovered" {
  if (change.to === "unhealthy") return "provider.unhealthy";
  if (change.to === "degraded") return "provider.degraded";
  return "provider.recovered";
}
