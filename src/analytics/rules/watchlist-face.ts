import type { NextStep } from "../../contract/incident.js";
import type { Track } from "../tracker.js";
import type { RuleCandidate, SeenFace } from "./candidate.js";

export interface WatchlistFaceOptions {
  readonly minSimilarity: number;
  readonly nextStep: NextStep;
}

/**
 * `watchlist_face`: a confirmed face track whose best match is at or above the threshold. The only
 * rule that may name someone; one incident per person (the subject) within the group window. Pure.
 */
export function watchlistFaceRule(
  cameraId: string,
  track: Track,
  identity: SeenFace["identity"],
  at: number,
  o: WatchlistFaceOptions,
): RuleCandidate | undefined {
  if (!track.confirmed || identity === null || identity.similarity < o.minSimilarity) return undefined;
  const similarity = Math.round(identity.similarity * 1000) / 1000;
  return {
    rule: "watchlist_face",
    cameraId,
    zone: null,
    subject: identity.personId,
    trackId: track.id,
    object: { label: "face", score: Math.round(track.bestScore * 1000) / 1000, box: track.box, track_id: track.id },
    at,
    // Both the face and the match must hold: the weaker of the two is the incident's confidence.
    confidence: Math.min(track.bestScore, identity.similarity),
    nextStep: o.nextStep,
    summary: `Watchlist match: ${identity.name} (similarity ${similarity}) on camera ${cameraId}`,
    identity: { person_id: identity.personId, name: identity.name, similarity },
  };
}
