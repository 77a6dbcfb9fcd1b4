/** One camera's load over the last window, as the shedder sees it. */
export interface ShedCamera {
  readonly id: string;
  /** The configured detect fps. */
  readonly configuredFps: number;
  /** The current cap; equal to configuredFps when not shed. */
  readonly limitFps: number;
  /** Frames per second sent to the detection scheduler. */
  readonly passedFps: number;
  readonly analysedFps: number;
  /** Frames per second the scheduler dropped because the detector was busy. */
  readonly skippedFps: number;
}

export interface ShedPolicy {
  /** No camera is capped below this (or below its own configured fps, if lower). */
  readonly minFps: number;
  /** Share of the frames sent that the detector dropped, above which it is overloaded. */
  readonly overloadSkipRatio: number;
  /** Detector busy share below which caps are raised again. */
  readonly restoreUtilisation: number;
  /** Factor by which a cap rises per window when restoring. */
  readonly restoreStep: number;
}

export const DEFAULT_SHED_POLICY: ShedPolicy = {
  minFps: 0.5,
  overloadSkipRatio: 0.05,
  restoreUtilisation: 0.7,
  restoreStep: 1.25,
};

export interface ShedPlan {
  /** The new cap of every camera (configured fps when not shed). */
  readonly limits: Readonly<Record<string, number>>;
  readonly active: boolean;
  readonly action: "shed" | "restore" | "hold";
  readonly reason: string | undefined;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Max-min fair shares of `capacity` frames per second: every camera gets its demand or an equal
 * share of what is left, whichever is smaller. The busiest cameras are the ones cut.
 */
export function fairShares(demands: readonly number[], capacity: number): number[] {
  const order = demands.map((d, i) => ({ d, i })).sort((a, b) => a.d - b.d);
  const shares = new Array<number>(demands.length).fill(0);
  let left = Math.max(0, capacity);
  order.forEach(({ d, i }, k) => {
    const share = Math.min(d, left / (order.length - k));
    shares[i] = share;
    left -= share;
  });
  return shares;
}

/**
 * The next caps from the last window. Overloaded (the scheduler dropped more than a small share
 * of the frames sent): the detector's achieved rate is split fairly and every camera above its
 * share is cut to it (never below the floor), so all cameras stay alive and degrade evenly.
 * Calm (nothing dropped and the detector busy less than `restoreUtilisation` of the time): capped
 * cameras rise one step, lowest first in effect since all rise by the same factor. Pure.
 */
export function planShedding(
  cameras: readonly ShedCamera[],
  detectorMeanMs: number | undefined,
  policy: ShedPolicy = DEFAULT_SHED_POLICY,
): ShedPlan {
  const floor = (c: ShedCamera): number => Math.min(c.configuredFps, policy.minFps);
  const passed = cameras.reduce((s, c) => s + c.passedFps, 0);
  const skipped = cameras.reduce((s, c) => s + c.skippedFps, 0);
  const analysed = cameras.reduce((s, c) => s + c.analysedFps, 0);
  const skipRatio = passed > 0 ? skipped / passed : 0;
  const limits: Record<string, number> = {};
  let action: ShedPlan["action"] = "hold";
  if (skipRatio > policy.overloadSkipRatio && analysed > 0) {
    // Demand is what a camera actually sent (a motion-gated camera sends little): a camera within
    // its fair share keeps its cap, so a quiet camera is not cut for the busy ones' load.
    const demands = cameras.map((c) => Math.min(c.limitFps, c.passedFps));
    const shares = fairShares(demands, analysed);
    for (const [i, c] of cameras.entries()) {
      const share = shares[i] ?? 0;
      const constrained = share < (demands[i] ?? 0) - 1e-9;
      const next = constrained ? Math.max(floor(c), Math.min(c.limitFps, round2(share))) : c.limitFps;
      limits[c.id] = next;
      if (next < c.limitFps) action = "shed";
    }
  } else {
    const utilisation = detectorMeanMs === undefined ? 0 : (analysed * detectorMeanMs) / 1000;
    const calm = skipped === 0 && utilisation < policy.restoreUtilisation;
    for (const c of cameras) {
      const raised = calm
        ? Math.min(c.configuredFps, round2(Math.max(c.limitFps * policy.restoreStep, c.limitFps + 0.5)))
        : c.limitFps;
      const next = Math.max(floor(c), Math.min(c.configuredFps, raised));
      limits[c.id] = next;
      if (next > c.limitFps) action = "restore";
    }
  }
  const capped = cameras.filter((c) => (limits[c.id] ?? c.configuredFps) < c.configuredFps);
  const active = capped.length > 0;
  const reason = active
    ? `detector cannot keep up with every camera at its detect fps: detection rate lowered on ${capped.length} camera(s)` +
      (action === "shed" ? ` (it dropped ${Math.round(100 * skipRatio)}% of frames in the last window)` : "")
    : undefined;
  return { limits, active, action, reason };
}
