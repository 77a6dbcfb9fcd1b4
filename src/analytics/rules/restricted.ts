import type { ZoneOccupant } from "../zones.js";
import { describeLabel, type RuleCandidate, type ZoneRule } from "./candidate.js";
import { zoneCandidate } from "./zone-rule-base.js";

/** `restricted`: any object of the rule's labels standing in the zone (for min_seconds, default 0). Pure. */
export function restrictedRule(rule: ZoneRule, occupants: readonly ZoneOccupant[], at: number): RuleCandidate[] {
  return occupants
    .filter((o) => rule.labels.includes(o.track.label) && o.dwellMs >= rule.minMs)
    .map((o) =>
      zoneCandidate(
        rule,
        o,
        at,
        `${describeLabel(o.track.label)} in restricted zone ${rule.zoneName} on camera ${rule.cameraId}`,
      ),
    );
}
