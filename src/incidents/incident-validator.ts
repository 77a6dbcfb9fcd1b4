import type { Incident, NextStep } from "../contract/incident.js";

export interface ValidatorPolicy {
  /** Below this confidence the only step a box may recommend is `monitor`. */
  readonly minConfidence: number;
  /**
   * A face similarity at or above this is a watchlist match that may name a person; without it
   * no identity claim passes.
   */
  readonly watchlistThreshold?: number | undefined;
}

/** Stands in for a name the evidence does not support. */
const ANONYMOUS = "a person";

/**
 * Runs on every incident before it is stored and published, whatever produced it (a rule, a
 * decision, a command): the recommendation can never outrun the evidence or the approval.
 * - below the minimum confidence the recommended step is `monitor`;
 * - `dispatch` only once a supervisor authorised it;
 * - an identity (and the name in the summary) only with a watchlist match above threshold, on a
 *   `watchlist_face` incident; otherwise both are dropped.
 * Pure.
 */
export function validateIncident(incident: Incident, policy: ValidatorPolicy): Incident {
  let step: NextStep = incident.next_step;
  if (step === "dispatch" && incident.status !== "dispatch_authorized") step = "notify";
  if (incident.confidence < policy.minConfidence) step = "monitor";
  const identity = (incident as Incident & { identity?: unknown }).identity;
  if (identity !== undefined && !identityHolds(incident, policy)) {
    const { identity: _dropped, ...rest } = incident as Incident & { identity?: unknown };
    const name =
      typeof (identity as { name?: unknown } | null)?.name === "string"
        ? (identity as { name: string }).name
        : typeof identity === "string"
          ? identity
          : undefined;
    const summary = name && name.length > 0 ? rest.summary.split(name).join(ANONYMOUS) : rest.summary;
    return { ...rest, summary, next_step: step };
  }
  return step === incident.next_step ? incident : { ...incident, next_step: step };
}

function identityHolds(incident: Incident, policy: ValidatorPolicy): boolean {
  const id = incident.identity;
  if (policy.watchlistThreshold === undefined || incident.rule !== "watchlist_face") return false;
  return (
    typeof id === "object" &&
    id !== null &&
    typeof id.similarity === "number" &&
    id.similarity >= policy.watchlistThreshold &&
    typeof id.name === "string"
  );
}
