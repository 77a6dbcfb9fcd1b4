import type { CameraEvent } from "../../contract/events.js";
import type { NextStep } from "../../contract/incident.js";
import type { RuleCandidate } from "./candidate.js";

export interface TamperOptions {
  /** Pushed event types that mean tampering (`tamper`, `video_loss`, ...). */
  readonly events: readonly string[];
  readonly nextStep: NextStep;
}

/**
 * `tamper`: a camera told us it was covered, moved or cut. The camera's own sensor is the
 * evidence, so confidence is 1; repeats within the group window join the same incident. Pure.
 */
export function tamperRule(e: CameraEvent, o: TamperOptions): RuleCandidate | undefined {
  if (!o.events.includes(e.event)) return undefined;
  return {
    rule: "tamper",
    cameraId: e.cameraId,
    zone: null,
    subject: e.event,
    trackId: 0,
    object: undefined,
    at: e.at,
    confidence: 1,
    nextStep: o.nextStep,
    summary: `Camera ${e.cameraId} reported tampering (${e.event})`,
  };
}
