import type { Incident } from "../contract/incident.js";
import type { WeeklyKpiFigures } from "../contract/kpi.js";
import { type SketchBuckets, sketchAdd, sketchMerge, sketchQuantile } from "./decision-sketch.js";
import { isoWeek } from "./iso-week.js";
import {
  type IncidentKpiFacts,
  incidentKpiFacts,
  KPI_RANGES,
  type KpiRange,
  type KpiSummary,
  kpiWindow,
  round,
  top,
} from "./kpi.js";

/**
 * The KPI totals of one UTC day (the incidents that started on it, as stored now), kept so that
 * any change to one incident is folded in as "remove what its previous version counted, add what
 * the new one counts" and a deletion as "remove". Integers only (milliseconds, micro-units of
 * fatigue), so adding and removing never drifts. Pure; stored as JSON in sublevel `kpi_daily`.
 */
export interface DayRollup {
  readonly day: string;
  total: number;
  by_status: Record<string, number>;
  by_rule: Record<string, number>;
  cameras: Record<string, number>;
  zones: Record<string, number>;
  dismiss_reasons: Record<string, number>;
  transitions: Record<string, number>;
  escalated: number;
  decided: number;
  decision_ms_sum: number;
  decision_sketch: SketchBuckets;
  /** Sum of the incidents' alert-fatigue weights, in millionths. */
  fatigue_micro: number;
}

const DAY_MS = 86_400_000;

export const dayOf = (i: Pick<Incident, "started_at">): string => i.started_at.slice(0, 10);

export function emptyDay(day: string): DayRollup {
  return {
    day,
    total: 0,
    by_status: {},
    by_rule: {},
    cameras: {},
    zones: {},
    dismiss_reasons: {},
    transitions: {},
    escalated: 0,
    decided: 0,
    decision_ms_sum: 0,
    decision_sketch: {},
    fatigue_micro: 0,
  };
}

export function cloneDay(d: DayRollup): DayRollup {
  const sketch: SketchBuckets = {};
  for (const [k, [c, s]] of Object.entries(d.decision_sketch)) sketch[k] = [c, s];
  return {
    ...d,
    by_status: { ...d.by_status },
    by_rule: { ...d.by_rule },
    cameras: { ...d.cameras },
    zones: { ...d.zones },
    dismiss_reasons: { ...d.dismiss_reasons },
    transitions: { ...d.transitions },
    decision_sketch: sketch,
  };
}

function bump(counts: Record<string, number>, key: string | null | undefined, by: number): void {
  if (key === null || key === undefined || by === 0) return;
  const n = (counts[key] ?? 0) + by;
  if (n === 0) delete counts[key];
  else counts[key] = n;
}

/** Adds (sign 1) or removes (sign -1) one incident version's facts, in place. */
export function foldInto(d: DayRollup, f: IncidentKpiFacts, sign: 1 | -1): void {
  d.total += sign;
  bump(d.by_status, f.status, sign);
  bump(d.by_rule, f.rule, sign);
  bump(d.cameras, f.camera, sign);
  bump(d.zones, f.zone, sign);
  bump(d.dismiss_reasons, f.reason, sign);
  for (const [action, n] of Object.entries(f.actions)) bump(d.transitions, action, sign * n);
  if (f.escalated) d.escalated += sign;
  if (f.decisionS !== undefined) {
    const ms = Math.round(f.decisionS * 1000);
    d.decided += sign;
    d.decision_ms_sum += sign * ms;
    sketchAdd(d.decision_sketch, ms, sign);
  }
  d.fatigue_micro += sign * Math.round(f.fatigue * 1e6);
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>, sign: 1 | -1): void {
  for (const [k, n] of Object.entries(from)) bump(into, k, sign * n);
}

/** Adds (sign 1) or takes out (sign -1) a whole day's rollup, in place: the running all-time total. */
export function addDay(into: DayRollup, d: DayRollup, sign: 1 | -1): void {
  into.total += sign * d.total;
  addCounts(into.by_status, d.by_status, sign);
  addCounts(into.by_rule, d.by_rule, sign);
  addCounts(into.cameras, d.cameras, sign);
  addCounts(into.zones, d.zones, sign);
  addCounts(into.dismiss_reasons, d.dismiss_reasons, sign);
  addCounts(into.transitions, d.transitions, sign);
  into.escalated += sign * d.escalated;
  into.decided += sign * d.decided;
  into.decision_ms_sum += sign * d.decision_ms_sum;
  into.fatigue_micro += sign * d.fatigue_micro;
  for (const [k, [count, sum]] of Object.entries(d.decision_sketch)) {
    const b = into.decision_sketch[k] ?? [0, 0];
    const c = b[0] + sign * count;
    if (c <= 0) delete into.decision_sketch[k];
    else into.decision_sketch[k] = [c, b[1] + sign * sum];
  }
}

/** The day rollups an incident change touches, changed: `previous` (undefined: new) became `next` (undefined: deleted). */
export function foldChange(
  days: ReadonlyMap<string, DayRollup>,
  previous: Incident | undefined,
  next: Incident | undefined,
): Map<string, DayRollup> {
  const out = new Map<string, DayRollup>();
  const take = (day: string): DayRollup => {
    let d = out.get(day);
    if (!d) {
      const stored = days.get(day);
      d = stored ? cloneDay(stored) : emptyDay(day);
      out.set(day, d);
    }
    return d;
  };
  if (previous) foldInto(take(dayOf(previous)), incidentKpiFacts(previous), -1);
  if (next) foldInto(take(dayOf(next)), incidentKpiFacts(next), 1);
  return out;
}

/** Every day's rollup from scratch: the migration, and the reference the tests hold the fold to. */
export function rollupDays(
  incidents: Iterable<Incident>,
  into: Map<string, DayRollup> = new Map(),
): Map<string, DayRollup> {
  for (const i of incidents) {
    const day = dayOf(i);
    let d = into.get(day);
    if (!d) {
      d = emptyDay(day);
      into.set(day, d);
    }
    foldInto(d, incidentKpiFacts(i), 1);
  }
  return into;
}

interface Merged {
  total: number;
  escalated: number;
  decided: number;
  decisionMs: number;
  fatigueMicro: number;
  byStatus: Map<string, number>;
  byRule: Map<string, number>;
  cameras: Map<string, number>;
  zones: Map<string, number>;
  reasons: Map<string, number>;
  transitions: Map<string, number>;
  sketch: Map<number, [number, number]>;
}

function addAll(into: Map<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, n] of Object.entries(from)) into.set(k, (into.get(k) ?? 0) + n);
}

function merge(days: Iterable<DayRollup>): Merged {
  const m: Merged = {
    total: 0,
    escalated: 0,
    decided: 0,
    decisionMs: 0,
    fatigueMicro: 0,
    byStatus: new Map(),
    byRule: new Map(),
    cameras: new Map(),
    zones: new Map(),
    reasons: new Map(),
    transitions: new Map(),
    sketch: new Map(),
  };
  for (const d of days) {
    m.total += d.total;
    m.escalated += d.escalated;
    m.decided += d.decided;
    m.decisionMs += d.decision_ms_sum;
    m.fatigueMicro += d.fatigue_micro;
    addAll(m.byStatus, d.by_status);
    addAll(m.byRule, d.by_rule);
    addAll(m.cameras, d.cameras);
    addAll(m.zones, d.zones);
    addAll(m.reasons, d.dismiss_reasons);
    addAll(m.transitions, d.transitions);
    sketchMerge(m.sketch, d.decision_sketch);
  }
  return m;
}

function figures(m: Merged) {
  return {
    total: m.total,
    by_status: Object.fromEntries(m.byStatus),
    dismissed_rate: m.total === 0 ? 0 : round((m.byStatus.get("dismissed") ?? 0) / m.total),
    escalation_rate: m.total === 0 ? 0 : round(m.escalated / m.total),
    time_to_decision_s: {
      decided: m.decided,
      mean: m.decided === 0 ? null : round(m.decisionMs / 1000 / m.decided, 1),
      p90: sketchQuantile(m.sketch, 90),
    },
    dismiss_reasons: Object.fromEntries(m.reasons),
    top_cameras: top(m.cameras, "camera_id"),
    top_zones: top(m.zones, "zone"),
    alert_fatigue: m.total === 0 ? 0 : round(Math.max(0, m.fatigueMicro) / 1e6 / m.total),
  };
}

/**
 * The KPI summary from day rollups: one rollup read per day of the range (`day(key)`), or every
 * stored day for `all` (`allDays()`). Same window as kpiSummary's full scan.
 */
export function summaryFromRollups(
  day: (key: string) => DayRollup | undefined,
  allDays: () => Iterable<DayRollup>,
  range: KpiRange,
  now: number,
  allTime?: DayRollup,
): KpiSummary {
  const { from, end } = kpiWindow(range, now);
  const picked: DayRollup[] = [];
  const lastDay = new Date(end - 1).toISOString().slice(0, 10);
  let future = false;
  if (KPI_RANGES[range] === undefined) {
    for (const d of allDays()) {
      if (d.day > lastDay) future = true;
      else if (d.total > 0) picked.push(d);
    }
  } else {
    for (let t = from ?? end; t < end; t += DAY_MS) {
      const d = day(new Date(t).toISOString().slice(0, 10));
      if (d && d.total > 0) picked.push(d);
    }
  }
  picked.sort((a, b) => a.day.localeCompare(b.day));
  return {
    range,
    from: from === undefined ? null : new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    // `all` with the running total kept beside the days (unless days after today exist, which it includes).
    ...figures(merge(allTime && !future && KPI_RANGES[range] === undefined ? [allTime] : picked)),
    daily: picked.map((d) => ({
      day: d.day,
      incidents: d.total,
      dismissed: d.by_status.dismissed ?? 0,
      escalated: d.escalated,
    })),
  };
}

/** The ISO weeks with incidents, oldest first (only the `latest` ones if given), from the same day rollups (7 reads a week). */
export function weeksFromRollups(days: Iterable<DayRollup>, latest?: number): WeeklyKpiFigures[] {
  const byWeek = new Map<string, { start: number; end: number; days: DayRollup[] }>();
  for (const d of days) {
    if (d.total === 0) continue;
    const w = isoWeek(Date.parse(`${d.day}T00:00:00Z`));
    const entry = byWeek.get(w.key) ?? { start: w.start, end: w.end, days: [] };
    entry.days.push(d);
    byWeek.set(w.key, entry);
  }
  return [...byWeek]
    .sort((a, b) => a[1].start - b[1].start)
    .slice(latest === undefined ? 0 : -latest)
    .map(([week, w]) => {
      const m = merge(w.days);
      return {
        week,
        from: new Date(w.start).toISOString(),
        to: new Date(w.end).toISOString(),
        ...figures(m),
        by_rule: Object.fromEntries(m.byRule),
        transitions: Object.fromEntries(m.transitions),
      };
    });
}
