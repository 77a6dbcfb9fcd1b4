import type { ZoneOccupant } from "../zones.js";
import { describeLabel, type RuleCandidate, type ZoneRule } from "./candidate.js";
import { zoneCandidate } from "./zone-rule-base.js";

/** `loitering`: an object of the rule's labels in the zone for longer than min_seconds (default 30). Pure. */
export function loiteringRule(rule: ZoneRule, occupants: readonly ZoneOccupant[], at: number): RuleCandidate[] {
  return occupants
    .filter((o) => rule.labels.includes(o.track.label) && o.dwellMs >= rule.minMs)
    .map((o) =>
      zoneCandidate(
        rule,
        o,
        at,
        `${describeLabel(o.track.label)} loitering in zone ${rule.zoneName} on camera ${rule.cameraId} for over ${Math.round(rule.minMs / 1000)} s`,
      ),
    );
}
