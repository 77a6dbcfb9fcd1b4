import type { DismissReason, Incident, IncidentStatus, NextStep } from "../contract/incident.js";
import { ErrorCodes, VigilError } from "../core/errors.js";

/** What an operator can do to an incident (`POST /v1/incidents/:id/decision`). */
export const DECISION_ACTIONS = ["monitor", "dismiss", "escalate", "request_dispatch", "close"] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export { DISMISS_REASONS, type DismissReason } from "../contract/incident.js";

/** Every step a human takes, the approval included, with where it may start and where it leads. */
const TRANSITIONS: Readonly<
  Record<DecisionAction | "approve", { from: readonly IncidentStatus[]; to: IncidentStatus }>
> = {
  monitor: { from: ["open"], to: "monitoring" },
  dismiss: { from: ["open", "monitoring", "escalated"], to: "dismissed" },
  escalate: { from: ["open", "monitoring"], to: "escalated" },
  request_dispatch: { from: ["escalated"], to: "dispatch_pending_review" },
  approve: { from: ["dispatch_pending_review"], to: "dispatch_authorized" },
  close: { from: ["monitoring", "dispatch_authorized"], to: "closed" },
};

/** The next step shown with each status: dispatch only once a supervisor has approved it. */
const NEXT_STEP: Readonly<Record<IncidentStatus, NextStep>> = {
  open: "monitor",
  monitoring: "monitor",
  dismissed: "monitor",
  escalated: "notify",
  dispatch_pending_review: "notify",
  dispatch_authorized: "dispatch",
  closed: "monitor",
};

export interface DecisionInput {
  readonly action: DecisionAction | "approve";
  readonly actor: string;
  readonly at: string;
  readonly reason?: DismissReason | undefined;
  readonly note?: string | undefined;
  /** The version the decider saw; a different current version is a conflict (compare-and-set). */
  readonly expectedVersion?: number | undefined;
}

/** Site rules on decisions. `allowSelfApproval` switches the four-eyes rule off (one-person sites). */
export interface DecisionRules {
  readonly allowSelfApproval: boolean;
}

export const FOUR_EYES: DecisionRules = { allowSelfApproval: false };

/** Who asked for the dispatch now waiting for review: the actor of the latest `request_dispatch`. */
export function dispatchRequester(incident: Incident): string | undefined {
  return incident.history.findLast((h) => h.action === "request_dispatch")?.actor;
}

export function allowedActions(status: IncidentStatus): Array<DecisionAction | "approve"> {
  return (Object.keys(TRANSITIONS) as Array<DecisionAction | "approve">).filter((a) =>
    TRANSITIONS[a].from.includes(status),
  );
}

/**
 * The incident after a decision, or a coded refusal. Pure: the service serialises decisions per
 * incident and writes the result; this says what the result is.
 */
export function applyDecision(incident: Incident, d: DecisionInput, rules: DecisionRules = FOUR_EYES): Incident {
  if (d.expectedVersion !== undefined && d.expectedVersion !== incident.version) {
    throw new VigilError(
      ErrorCodes.CONFLICT,
      `incident ${incident.id} is at version ${incident.version}, not ${d.expectedVersion}: someone decided first`,
      { details: { version: incident.version } },
    );
  }
  const t = TRANSITIONS[d.action];
  if (!t.from.includes(incident.status)) {
    throw new VigilError(
      ErrorCodes.INCIDENT_TRANSITION,
      `cannot ${d.action} an incident that is ${incident.status} (allowed: ${allowedActions(incident.status).join(", ") || "none"})`,
      {
        details: { status: incident.status, action: d.action },
      },
    );
  }
  if (d.action === "approve" && !rules.allowSelfApproval && dispatchRequester(incident) === d.actor) {
    throw new VigilError(
      ErrorCodes.FOUR_EYES,
      `${d.actor} requested this dispatch and cannot also approve it: another supervisor must (four-eyes rule)`,
      {
        details: { requested_by: d.actor },
      },
    );
  }
  if (d.action === "dismiss" && d.reason === undefined)
    throw new VigilError(ErrorCodes.VALIDATION, "dismissing needs a dismiss_reason", {
      details: { field: "body/dismiss_reason" },
    });
  if (d.action !== "dismiss" && d.reason !== undefined)
    throw new VigilError(ErrorCodes.VALIDATION, "dismiss_reason belongs only to a dismissal", {
      details: { field: "body/dismiss_reason" },
    });
  return {
    ...incident,
    version: incident.version + 1,
    status: t.to,
    next_step: NEXT_STEP[t.to],
    ...(d.reason ? { dismiss_reason: d.reason } : {}),
    history: [
      ...incident.history,
      {
        at: d.at,
        actor: d.actor,
        action: d.action,
        before: incident.status,
        after: t.to,
        ...(d.note ? { note: d.note } : {}),
        ...(d.reason ? { reason: d.reason } : {}),
      },
    ],
  };
}
