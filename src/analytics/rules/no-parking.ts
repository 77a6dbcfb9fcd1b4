import type { ZoneOccupant } from "../zones.js";
import { describeLabel, type RuleCandidate, type ZoneRule } from "./candidate.js";
import { zoneCandidate } from "./zone-rule-base.js";

/**
 * `no_parking`: a vehicle of the rule's labels that is stationary (the tracker's judgement) and
 * has stood in the zone for min_seconds (default 60). A car driving through never qualifies; a
 * parked one stays one track, so grouping keeps it one incident however long it stays. Pure.
 */
export function noParkingRule(rule: ZoneRule, occupants: readonly ZoneOccupant[], at: number): RuleCandidate[] {
  return occupants
    .filter((o) => rule.labels.includes(o.track.label) && o.track.stationary && o.dwellMs >= rule.minMs)
    .map((o) =>
      zoneCandidate(
        rule,
        o,
        at,
        `${describeLabel(o.track.label)} parked in no-parking zone ${rule.zoneName} on camera ${rule.cameraId}`,
      ),
    );
}
