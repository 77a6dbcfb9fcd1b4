import type { NormalizedBox } from "../../contract/detection.js";
import type { IncidentIdentity, IncidentObject, NextStep } from "../../contract/incident.js";

/** A face as the face rules see it: its watchlist match (with the similarity) or null. */
export interface SeenFace {
  readonly box: NormalizedBox;
  readonly score: number;
  readonly identity: { readonly personId: string; readonly name: string; readonly similarity: number } | null;
}

/**
 * What a rule says it saw in one frame (or one pushed event): the grouping step decides whether
 * it opens an incident, joins one, or only refreshes one.
 */
export interface RuleCandidate {
  /** The incident's `rule`: a zone rule's id, or `watchlist_face`, `unknown_face`, `tamper`. */
  readonly rule: string;
  readonly cameraId: string;
  readonly zone: string | null;
  /** What else separates incidents of one rule: the watchlist person, the camera event. */
  readonly subject: string;
  /** The object's track (faces and objects), or 0 for an event with no object. */
  readonly trackId: number;
  readonly object: IncidentObject | undefined;
  readonly at: number;
  readonly confidence: number;
  readonly nextStep: NextStep;
  /** One line for people, written when the incident is raised. */
  readonly summary: string;
  readonly identity?: IncidentIdentity;
}

/** A zone rule with its defaults filled in (from `rules.zones` and the camera's zone). */
export interface ZoneRule {
  readonly id: string;
  readonly kind: "restricted" | "loitering" | "no_parking";
  readonly cameraId: string;
  readonly zoneId: string;
  readonly zoneName: string;
  readonly labels: readonly string[];
  readonly minMs: number;
  readonly nextStep: NextStep;
}

/** "person", "persons"... only for summaries. */
export function describeLabel(label: string): string {
  return label.length === 0 ? "Object" : label[0]?.toUpperCase() + label.slice(1);
}
