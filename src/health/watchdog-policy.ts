/**
 * When does the daemon deserve to send WATCHDOG=1? Pure: samples in, verdicts out.
 *
 * "The main loops make progress" means two things for Vigil:
 *
 * 1. The event loop turns. Every part of the daemon (HTTP, MQTT, frame reading, the inference
 *    scheduler's callbacks, the group commit) runs on it, so a blocked or starved loop stops all of
 *    them at once. The watchdog's own timer is the heartbeat, and the loop's worst delay since the
 *    last ping (monitorEventLoopDelay) must stay under a bound: a loop that did answer the tick but
 *    froze for seconds in between is not healthy.
 *
 * 2. The work loops with a backlog drain it. A loop can hang while the event loop is fine: an
 *    fsync that never returns (group commit), an inference session stuck in native code (the
 *    detection scheduler). Each such loop registers a counter that grows when it completes work,
 *    and says whether it has work outstanding (`busy`). A loop that is busy and whose counter has
 *    not moved for `stallAfterMs` is stalled. A loop with nothing to do is idle, not stalled, so a
 *    box with no cameras, no broker or no writes never starves the watchdog: idleness is declared
 *    by the loop itself rather than guessed from a quiet counter.
 *
 * Counters should measure the loop's own turning, not outcomes that depend on the outside world:
 * a broker that is down, or a camera that is offline, is not cured by restarting the daemon, and
 * must not make the watchdog bite.
 *
 * A stall is timed from the first sample that saw the loop busy and not advancing, not from its
 * last advance: between two samples the loop may have been idle, and guessing otherwise would
 * turn a slow but working loop into a restart. Detection therefore takes at most
 * stallAfterMs + one ping period, and a stall is never reported before stallAfterMs of observed
 * busy-without-progress.
 */

export type ProgressSample =
  | { readonly ok: true; readonly value: number; readonly busy: boolean }
  | { readonly ok: false; readonly error: string };

/** What the policy remembers about one source between samples. */
export interface SourceMemory {
  readonly value: number;
  /** First sample time of the current run of busy-and-not-advancing samples. */
  readonly stuckSince: number | undefined;
}

export type SourceVerdict =
  | { readonly kind: "advanced" }
  | { readonly kind: "idle" }
  | { readonly kind: "waiting"; readonly stuckForMs: number }
  | { readonly kind: "stalled"; readonly stuckForMs: number }
  | { readonly kind: "failed"; readonly error: string };

export function judgeSource(
  previous: SourceMemory | undefined,
  sample: ProgressSample,
  nowMs: number,
  stallAfterMs: number,
): { memory: SourceMemory | undefined; verdict: SourceVerdict } {
  // A probe that cannot answer cannot show progress; its memory is kept for when it recovers.
  if (!sample.ok) return { memory: previous, verdict: { kind: "failed", error: sample.error } };
  // The first sample is the baseline. Any change counts as progress, not only growth: a counter
  // that restarted from zero (a part rebuilt on reload) did turn.
  if (previous === undefined || sample.value !== previous.value) {
    return { memory: { value: sample.value, stuckSince: undefined }, verdict: { kind: "advanced" } };
  }
  if (!sample.busy) return { memory: { value: sample.value, stuckSince: undefined }, verdict: { kind: "idle" } };
  const stuckSince = previous.stuckSince ?? nowMs;
  const stuckForMs = nowMs - stuckSince;
  const memory = { value: sample.value, stuckSince };
  return {
    memory,
    verdict: stuckForMs >= stallAfterMs ? { kind: "stalled", stuckForMs } : { kind: "waiting", stuckForMs },
  };
}

export interface TickInput {
  /** Worst event-loop delay since the previous tick. */
  readonly lagMs: number;
  readonly maxLagMs: number;
  readonly sources: readonly {
    readonly name: string;
    readonly verdict: SourceVerdict;
    readonly stallAfterMs: number;
  }[];
}

export interface TickDecision {
  readonly ping: boolean;
  /** Why not, one entry per cause; empty when ping is true. */
  readonly reasons: readonly string[];
  /** Names of the sources that stalled or failed. */
  readonly stalled: readonly string[];
}

export function decideTick(input: TickInput): TickDecision {
  const reasons: string[] = [];
  const stalled: string[] = [];
  if (!(input.lagMs <= input.maxLagMs))
    reasons.push(`event loop blocked for ${Math.round(input.lagMs)} ms (limit ${Math.round(input.maxLagMs)} ms)`);
  for (const { name, verdict, stallAfterMs } of input.sources) {
    if (verdict.kind === "stalled") {
      stalled.push(name);
      reasons.push(
        `${name}: busy without progress for ${Math.round(verdict.stuckForMs)} ms (limit ${Math.round(stallAfterMs)} ms)`,
      );
    } else if (verdict.kind === "failed") {
      stalled.push(name);
      reasons.push(`${name}: progress probe failed: ${verdict.error}`);
    }
  }
  return { ping: reasons.length === 0, reasons, stalled };
}
