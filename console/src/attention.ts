import type { Incident, IncidentStatus } from "./api/types";

/** Undecided first (waiting for an operator or a supervisor), then what is in hand, then done. */
const STATUS_RANK: Record<IncidentStatus, number> = {
  open: 0,
  dispatch_pending_review: 0,
  escalated: 1,
  monitoring: 2,
  dispatch_authorized: 3,
  dismissed: 4,
  closed: 4,
};
const STEP_RANK: Record<Incident["next_step"], number> = { dispatch: 0, notify: 1, monitor: 2 };

/** The queue's order: what needs attention first, then next step, confidence, and the oldest. Pure. */
export function byAttention(a: Incident, b: Incident): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    STEP_RANK[a.next_step] - STEP_RANK[b.next_step] ||
    b.confidence - a.confidence ||
    a.started_at.localeCompare(b.started_at) ||
    a.id.localeCompare(b.id)
  );
}

export function isUndecided(i: Incident): boolean {
  return i.status === "open" || i.status === "dispatch_pending_review";
}

/** Seconds the incident has waited for a decision (until now while undecided, else until its first decision). */
export function waitingS(i: Incident, now: number): number {
  const created = Date.parse(i.history[0]?.at ?? i.started_at);
  const decided = i.history.find((h) => h.actor !== "system" && h.action !== "created");
  const end = isUndecided(i) || !decided ? now : Date.parse(decided.at);
  return Math.max(0, Math.round((end - created) / 1000));
}

export function formatDuration(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  const h = Math.floor(s / 3600);
  return h < 48 ? `${h}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(h / 24)}d`;
}
