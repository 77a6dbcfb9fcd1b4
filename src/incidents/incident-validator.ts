import type { Incident, NextStep } from "../contract/incident.js";

export interface ValidatorPolicy {
  /** Below this confidence the only step a box may recommend is `monitor`. */
  readonly minConfidence: number;
}

/**
 * Runs on every incident before it is stored and published, whatever produced it (a rule, a
 * decision, a command): the recommendation can never outrun the evidence or the approval.
 * - below the minimum confidence the recommended step is `monitor`;
 * - `dispatch` only once a supervisor authorised it.
 * Identity claims need a watchlist match above threshold; no rule makes one yet, so none passes.
 * Pure.
 */
export function validateIncident(incident: Incident, policy: ValidatorPolicy): Incident {
  let step: NextStep = incident.next_step;
  if (step === "dispatch" && incident.status !== "dispatch_authorized") step = "notify";
  if (incident.confidence < policy.minConfidence) step = "monitor";
  const identity = (incident as Incident & { identity?: unknown }).identity;
  if (identity !== undefined) {
    const { identity: _dropped, ...rest } = incident as Incident & { identity?: unknown };
    return { ...rest, next_step: step };
  }
  return step === incident.next_step ? incident : { ...incident, next_step: step };
}
