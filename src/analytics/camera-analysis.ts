import type { Detection } from "../contract/detection.js";
import type { RuleCandidate, ZoneRule } from "./rules/candidate.js";
import { loiteringRule } from "./rules/loitering.js";
import { noParkingRule } from "./rules/no-parking.js";
import { restrictedRule } from "./rules/restricted.js";
import { INITIAL_TRACKER, stepTracker, type TrackerOptions, type TrackerState } from "./tracker.js";
import { EMPTY_PRESENCE, stepZones, type ZoneDef, type ZoneEvent, type ZonePresence } from "./zones.js";

/** What one camera's analytics remember between frames. */
export interface CameraAnalysisState {
  readonly tracker: TrackerState;
  readonly presence: ZonePresence;
}

export const NEW_CAMERA_ANALYSIS: CameraAnalysisState = { tracker: INITIAL_TRACKER, presence: EMPTY_PRESENCE };

const KINDS = { restricted: restrictedRule, loitering: loiteringRule, no_parking: noParkingRule } as const;

/**
 * One frame of a camera: track the detections, place the tracks in the camera's zones, and ask
 * each of the camera's zone rules what it sees. Pure: the engine keeps the state and does the I/O.
 */
export function analyseFrame(
  state: CameraAnalysisState,
  detections: readonly Detection[],
  at: number,
  setup: { readonly zones: readonly ZoneDef[]; readonly rules: readonly ZoneRule[]; readonly tracker: TrackerOptions },
): { state: CameraAnalysisState; candidates: RuleCandidate[]; events: readonly ZoneEvent[] } {
  const tracked = stepTracker(state.tracker, detections, at, setup.tracker);
  const zoned = stepZones(state.presence, setup.zones, tracked.state.tracks, at);
  const candidates = setup.rules.flatMap((rule) => KINDS[rule.kind](rule, zoned.occupants.get(rule.zoneId) ?? [], at));
  return { state: { tracker: tracked.state, presence: zoned.presence }, candidates, events: zoned.events };
}
