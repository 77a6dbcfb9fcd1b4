// The weekly KPI aggregate as main kept it before the day rollups (every decision time of the
// week in one sorted array, rewritten with each incident write): the baseline of the write-cost
// comparison in incident-store.bench.ts. Not used by the daemon.
import type { Incident } from "../../src/contract/incident.js";
import { type IncidentKpiFacts, incidentKpiFacts, percentile, round, top } from "../../src/incidents/kpi.js";
import { isoWeek } from "../../src/incidents/iso-week.js";
import type { WeeklyKpiFigures } from "../../src/contract/kpi.js";

export type { WeeklyKpiFigures } from "../../src/contract/kpi.js";

/**
 * The running totals of one ISO week (incidents that started in it), kept so that any change to
 * one incident is folded in as "remove what its previous version counted, add what the new one
 * counts": no rescan. Stored as JSON in LevelDB.
 */
export interface WeeklyKpiAggregate {
  readonly week: string;
  readonly from: string;
  readonly to: string;
  readonly total: number;
  readonly by_status: Readonly<Record<string, number>>;
  readonly by_rule: Readonly<Record<string, number>>;
  readonly cameras: Readonly<Record<string, number>>;
  readonly zones: Readonly<Record<string, number>>;
  readonly escalated: number;
  readonly dismiss_reasons: Readonly<Record<string, number>>;
  /** Sorted; the p90 needs every value. */
  readonly decision_times_s: readonly number[];
  readonly fatigue_sum: number;
  /** Lifecycle steps of these incidents by action. */
  readonly transitions: Readonly<Record<string, number>>;
}

export function emptyWeek(ms: number): WeeklyKpiAggregate {
  const w = isoWeek(ms);
  return {
    week: w.key,
    from: new Date(w.start).toISOString(),
    to: new Date(w.end).toISOString(),
    total: 0,
    by_status: {},
    by_rule: {},
    cameras: {},
    zones: {},
    escalated: 0,
    dismiss_reasons: {},
    decision_times_s: [],
    fatigue_sum: 0,
    transitions: {},
  };
}

/** The week an incident counts in: the one it started in (as the summary's ranges). */
export function weekOf(i: Incident): string {
  return isoWeek(Date.parse(i.started_at)).key;
}

function bump(
  counts: Readonly<Record<string, number>>,
  key: string | null | undefined,
  by: number,
): Record<string, number> {
  if (key === null || key === undefined || by === 0) return counts;
  const n = (counts[key] ?? 0) + by;
  const { [key]: _old, ...rest } = counts;
  return n === 0 ? rest : { ...rest, [key]: n };
}

function withTime(sorted: readonly number[], t: number | undefined, sign: 1 | -1): number[] {
  if (t === undefined) return sorted as number[];
  if (sign === -1) {
    const at = sorted.indexOf(t);
    return at === -1 ? (sorted as number[]) : [...sorted.slice(0, at), ...sorted.slice(at + 1)];
  }
  const at = sorted.findIndex((v) => v > t);
  return at === -1 ? [...sorted, t] : [...sorted.slice(0, at), t, ...sorted.slice(at)];
}

/** Adds (sign 1) or removes (sign -1) one incident version's facts. Pure. */
export function foldFacts(a: WeeklyKpiAggregate, f: IncidentKpiFacts, sign: 1 | -1): WeeklyKpiAggregate {
  let transitions = a.transitions;
  for (const [action, n] of Object.entries(f.actions)) transitions = bump(transitions, action, sign * n);
  return {
    ...a,
    total: a.total + sign,
    by_status: bump(a.by_status, f.status, sign),
    by_rule: bump(a.by_rule, f.rule, sign),
    cameras: bump(a.cameras, f.camera, sign),
    zones: bump(a.zones, f.zone, sign),
    escalated: a.escalated + (f.escalated ? sign : 0),
    dismiss_reasons: bump(a.dismiss_reasons, f.reason, sign),
    decision_times_s: withTime(a.decision_times_s, f.decisionS, sign),
    fatigue_sum: a.fatigue_sum + sign * f.fatigue,
    transitions,
  };
}

/** The week's aggregate after one incident went from `previous` (undefined: new) to `next`. Pure. */
export function foldChange(a: WeeklyKpiAggregate, previous: Incident | undefined, next: Incident): WeeklyKpiAggregate {
  const without = previous ? foldFacts(a, incidentKpiFacts(previous), -1) : a;
  return foldFacts(without, incidentKpiFacts(next), 1);
}

/** Every week's aggregate from scratch: the one-time backfill, and the reference the tests hold the fold to. */
export function aggregateWeeks(incidents: readonly Incident[]): Map<string, WeeklyKpiAggregate> {
  const weeks = new Map<string, WeeklyKpiAggregate>();
  for (const i of incidents) {
    const key = weekOf(i);
    weeks.set(key, foldChange(weeks.get(key) ?? emptyWeek(Date.parse(i.started_at)), undefined, i));
  }
  return weeks;
}

export function weeklyFigures(a: WeeklyKpiAggregate): WeeklyKpiFigures {
  const times = a.decision_times_s;
  const toMap = (r: Readonly<Record<string, number>>) => new Map(Object.entries(r));
  return {
    week: a.week,
    from: a.from,
    to: a.to,
    total: a.total,
    by_status: a.by_status,
    by_rule: a.by_rule,
    dismissed_rate: a.total === 0 ? 0 : round((a.by_status.dismissed ?? 0) / a.total),
    escalation_rate: a.total === 0 ? 0 : round(a.escalated / a.total),
    time_to_decision_s: {
      decided: times.length,
      mean: times.length === 0 ? null : round(times.reduce((s, t) => s + t, 0) / times.length, 1),
      p90: percentile(times, 90),
    },
    dismiss_reasons: a.dismiss_reasons,
    top_cameras: top(toMap(a.cameras), "camera_id"),
    top_zones: top(toMap(a.zones), "zone"),
    alert_fatigue: a.total === 0 ? 0 : round(Math.max(0, a.fatigue_sum) / a.total),
    transitions: a.transitions,
  };
}
