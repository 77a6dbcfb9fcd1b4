import type { Incident } from "../contract/incident.js";
import type { KpiFigures } from "../contract/kpi.js";

export type { KpiFigures } from "../contract/kpi.js";

export const KPI_RANGES = { "7d": 7, "30d": 30, all: undefined } as const;
export type KpiRange = keyof typeof KPI_RANGES;

export interface KpiSummary extends KpiFigures {
  readonly range: KpiRange;
  readonly from: string | null;
  readonly to: string;
  readonly daily: ReadonlyArray<{
    readonly day: string;
    readonly incidents: number;
    readonly dismissed: number;
    readonly escalated: number;
  }>;
}

export const FATIGUE_HORIZON_S = 600;
const DAY_MS = 86_400_000;
export const round = (n: number, d = 3): number => Math.round(n * 10 ** d) / 10 ** d;

/** What one incident contributes to the KPIs: the one definition both the summary and the weekly aggregate use. */
export interface IncidentKpiFacts {
  readonly camera: string;
  readonly zone: string | null;
  readonly rule: string;
  readonly status: string;
  readonly escalated: boolean;
  /** Seconds from creation to the first human step, if there was one. */
  readonly decisionS: number | undefined;
  /** Set when dismissed. */
  readonly reason: string | undefined;
  /** 0..1: its weight in the alert-fatigue score (0 unless dismissed). */
  readonly fatigue: number;
  /** History steps by action (`created`, `dismiss`, ...). */
  readonly actions: Readonly<Record<string, number>>;
}

export function incidentKpiFacts(i: Incident): IncidentKpiFacts {
  const created = Date.parse(i.history[0]?.at ?? i.started_at);
  const firstHuman = i.history.find((h) => h.actor !== "system" && h.action !== "created");
  const dismissal = i.history.find((h) => h.action === "dismiss");
  const dismissed = i.status === "dismissed";
  const after = dismissal ? (Date.parse(dismissal.at) - created) / 1000 : FATIGUE_HORIZON_S;
  const actions: Record<string, number> = {};
  for (const h of i.history) actions[h.action] = (actions[h.action] ?? 0) + 1;
  return {
    camera: i.camera_id,
    zone: i.zone,
    rule: i.rule,
    status: i.status,
    escalated: i.history.some((h) => h.action === "escalate"),
    decisionS: firstHuman ? Math.max(0, (Date.parse(firstHuman.at) - created) / 1000) : undefined,
    reason: dismissed ? (i.dismiss_reason ?? "unknown") : undefined,
    fatigue: dismissed ? Math.max(0, 1 - Math.max(0, after) / FATIGUE_HORIZON_S) : 0,
    actions,
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

export function top<K extends string>(
  counts: Map<string, number>,
  key: K,
  n = 5,
): Array<Record<K, string> & { incidents: number }> {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k, v]) => ({ [key]: k, incidents: v }) as Record<K, string> & { incidents: number });
}

/**
 * A range in whole UTC days, so that it is made of day rollups: `7d` is the last 7 days, today
 * included (from midnight UTC 6 days ago); `all` everything up to the end of today.
 */
export function kpiWindow(range: KpiRange, now: number): { from: number | undefined; end: number } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const days = KPI_RANGES[range];
  return { from: days === undefined ? undefined : today - (days - 1) * DAY_MS, end: today + DAY_MS };
}

/**
 * The KPI summary of the incidents started within the range ending today, by a full scan. Pure.
 * The daemon answers from day rollups (kpi-rollup.ts); this is the reference they are tested against.
 */
export function kpiSummary(incidents: readonly Incident[], range: KpiRange, now: number): KpiSummary {
  const { from, end } = kpiWindow(range, now);
  const inRange = incidents.filter((i) => {
    const t = Date.parse(i.started_at);
    return t < end && (from === undefined || t >= from);
  });
  const byStatus = new Map<string, number>();
  const reasons = new Map<string, number>();
  const cameras = new Map<string, number>();
  const zones = new Map<string, number>();
  const daily = new Map<string, { incidents: number; dismissed: number; escalated: number }>();
  const decisionTimes: number[] = [];
  let escalated = 0;
  let fatigue = 0;
  for (const i of inRange) {
    const f = incidentKpiFacts(i);
    byStatus.set(f.status, (byStatus.get(f.status) ?? 0) + 1);
    cameras.set(f.camera, (cameras.get(f.camera) ?? 0) + 1);
    if (f.zone !== null) zones.set(f.zone, (zones.get(f.zone) ?? 0) + 1);
    if (f.decisionS !== undefined) decisionTimes.push(f.decisionS);
    if (f.escalated) escalated++;
    if (f.reason !== undefined) reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
    fatigue += f.fatigue;
    const day = i.started_at.slice(0, 10);
    const d = daily.get(day) ?? { incidents: 0, dismissed: 0, escalated: 0 };
    daily.set(day, {
      incidents: d.incidents + 1,
      dismissed: d.dismissed + (i.status === "dismissed" ? 1 : 0),
      escalated: d.escalated + (f.escalated ? 1 : 0),
    });
  }
  const total = inRange.length;
  const sortedTimes = [...decisionTimes].sort((a, b) => a - b);
  return {
    range,
    from: from === undefined ? null : new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    total,
    by_status: Object.fromEntries(byStatus),
    dismissed_rate: total === 0 ? 0 : round((byStatus.get("dismissed") ?? 0) / total),
    escalation_rate: total === 0 ? 0 : round(escalated / total),
    time_to_decision_s: {
      decided: decisionTimes.length,
      mean:
        decisionTimes.length === 0 ? null : round(decisionTimes.reduce((a, b) => a + b, 0) / decisionTimes.length, 1),
      p90: percentile(sortedTimes, 90),
    },
    dismiss_reasons: Object.fromEntries(reasons),
    top_cameras: top(cameras, "camera_id"),
    top_zones: top(zones, "zone"),
    alert_fatigue: total === 0 ? 0 : round(fatigue / total),
    daily: [...daily].sort((a, b) => a[0].localeCompare(b[0])).map(([day, v]) => ({ day, ...v })),
  };
}
