/** Whether one frame goes to the detector, and why. Pure. */
export type GateOutcome = "pass_motion" | "pass_idle" | "pass_ungated" | "skip_no_motion" | "skip_shed";

export interface GateInput {
  readonly now: number;
  /** When the camera's last frame went to the detector; undefined: none yet. */
  readonly lastPassedAt: number | undefined;
  readonly motionEnabled: boolean;
  readonly moving: boolean;
  /** Detection rate kept while nothing moves; 0: none. */
  readonly idleFps: number;
  /** Load shedding's cap on this camera's detection rate; undefined: no cap. */
  readonly limitFps: number | undefined;
}

/**
 * Frames arrive at the detect fps with jitter; a frame a little early for its slot still takes it,
 * or a cap of exactly half the detect fps would let through only every third frame.
 */
const EARLY_TOLERANCE = 0.9;

function due(now: number, last: number | undefined, fps: number): boolean {
  return last === undefined || now - last >= (1000 / fps) * EARLY_TOLERANCE;
}

/**
 * Motion decides first (a still frame that is not due for its idle check is a motion skip, not a
 * shed one), then the shedding cap spaces out what motion let through.
 */
export function gateDecision(i: GateInput): GateOutcome {
  let pass: GateOutcome = "pass_ungated";
  if (i.motionEnabled) {
    if (i.moving) pass = "pass_motion";
    else if (i.idleFps > 0 && due(i.now, i.lastPassedAt, i.idleFps)) pass = "pass_idle";
    else return "skip_no_motion";
  }
  if (i.limitFps !== undefined && !due(i.now, i.lastPassedAt, i.limitFps)) return "skip_shed";
  return pass;
}
