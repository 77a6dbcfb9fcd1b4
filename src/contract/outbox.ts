/**
 * What the outbox does when it reaches its byte budget. One policy exists today; it has a name so
 * the config, health and docs can say which one is in force:
 * - audit is never dropped nor refused (an audit gap is what an attacker would want);
 * - the oldest alerts are dropped first to make room;
 * - a new alert that still does not fit is refused;
 * - a new incident is refused only when no alert is left to drop, and an `outbox.full` alert goes out.
 */
export const OUTBOX_POLICIES = ["shed-alerts-then-refuse-incidents"] as const;
export type OutboxPolicy = (typeof OUTBOX_POLICIES)[number];
