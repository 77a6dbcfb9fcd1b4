/**
 * Health of one endpoint (an MQTT broker, an inference provider): consecutive failures take it
 * down, and a downed endpoint is retried only after a cool-down that grows with each relapse, so
 * a flapping endpoint is not chosen over a steady one. Pure apart from the clock passed in; the
 * choice between several endpoints is `pickEndpoint`.
 */
export type EndpointState = "unknown" | "healthy" | "down";

export interface HealthPolicy {
  /** Consecutive failures that take an endpoint down. */
  readonly failuresToDown: number;
  /** Consecutive successes (or time connected) before it counts as healthy again. */
  readonly successesToHealthy: number;
  readonly coolDownMs: number;
  readonly maxCoolDownMs: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  failuresToDown: 2,
  successesToHealthy: 2,
  coolDownMs: 10_000,
  maxCoolDownMs: 300_000,
};

export interface EndpointHealth {
  readonly state: EndpointState;
  readonly failures: number;
  readonly successes: number;
  readonly relapses: number;
  readonly downUntil: number;
  readonly lastError: string | undefined;
}

export const INITIAL_HEALTH: EndpointHealth = {
  state: "unknown",
  failures: 0,
  successes: 0,
  relapses: 0,
  downUntil: 0,
  lastError: undefined,
};

export function recordSuccess(h: EndpointHealth, policy: HealthPolicy): EndpointHealth {
  const successes = h.successes + 1;
  const healthy = successes >= policy.successesToHealthy || h.state === "healthy";
  return {
    ...h,
    failures: 0,
    successes,
    state: healthy ? "healthy" : h.state,
    relapses: healthy ? 0 : h.relapses,
    lastError: healthy ? undefined : h.lastError,
  };
}

export function recordFailure(h: EndpointHealth, policy: HealthPolicy, now: number, error: string): EndpointHealth {
  const failures = h.failures + 1;
  if (failures < policy.failuresToDown) return { ...h, failures, successes: 0, lastError: error };
  const coolDown = Math.min(policy.maxCoolDownMs, policy.coolDownMs * 2 ** h.relapses);
  return {
    state: "down",
    failures,
    successes: 0,
    relapses: h.relapses + 1,
    downUntil: now + coolDown,
    lastError: error,
  };
}

/** Usable now: not down, or down but its cool-down has passed (worth another try). */
export function isEligible(h: EndpointHealth, now: number): boolean {
  return h.state !== "down" || now >= h.downUntil;
}

/**
 * The endpoint to use: the first eligible one in priority order; if none is eligible, the one
 * whose cool-down ends first (never "nothing": an uplink must keep trying).
 */
export function pickEndpoint(healths: readonly EndpointHealth[], now: number): number {
  const eligible = healths.findIndex((h) => isEligible(h, now));
  if (eligible >= 0) return eligible;
  let best = 0;
  healths.forEach((h, i) => {
    if (h.downUntil < (healths[best]?.downUntil ?? Number.POSITIVE_INFINITY)) best = i;
  });
  return best;
}
