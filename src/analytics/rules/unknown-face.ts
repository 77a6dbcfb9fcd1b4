import type { NextStep } from "../../contract/incident.js";
import type { Track } from "../tracker.js";
import type { RuleCandidate } from "./candidate.js";

export interface UnknownFaceOptions {
  /** Cameras where it applies; empty: every camera. */
  readonly cameras: readonly string[];
  readonly nextStep: NextStep;
}

/**
 * `unknown_face`: a confirmed face track that never matched a watchlist entry above threshold, on
 * a camera where that matters (a staff-only door). Says nothing about who it is. Pure.
 */
export function unknownFaceRule(
  cameraId: string,
  track: Track,
  matched: boolean,
  at: number,
  o: UnknownFaceOptions,
): RuleCandidate | undefined {
  if (!track.confirmed || matched) return undefined;
  if (o.cameras.length > 0 && !o.cameras.includes(cameraId)) return undefined;
  return {
    rule: "unknown_face",
    cameraId,
    zone: null,
    subject: "",
    trackId: track.id,
    object: { label: "face", score: Math.round(track.bestScore * 1000) / 1000, box: track.box, track_id: track.id },
    at,
    confidence: track.bestScore,
    nextStep: o.nextStep,
    summary: `Unrecognised face on camera ${cameraId}`,
  };
}
