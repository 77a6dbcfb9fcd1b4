import type { ZoneOccupant } from "../zones.js";
import type { RuleCandidate, ZoneRule } from "./candidate.js";

/** A candidate for an occupant of a zone rule's zone; the kinds only differ in who qualifies and what they say. */
export function zoneCandidate(rule: ZoneRule, o: ZoneOccupant, at: number, summary: string): RuleCandidate {
  const { track } = o;
  return {
    rule: rule.id,
    cameraId: rule.cameraId,
    zone: rule.zoneId,
    subject: "",
    trackId: track.id,
    object: {
      label: track.label,
      score: Math.round(track.bestScore * 1000) / 1000,
      box: track.box,
      track_id: track.id,
    },
    at,
    confidence: track.bestScore,
    nextStep: rule.nextStep,
    summary,
  };
}
