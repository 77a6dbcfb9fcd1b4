/** One RSS reading of the daemon. */
export interface MemoryPoint {
  readonly at: number;
  readonly rss: number;
}

/** When memory makes the box `degraded` (`health.memory`). */
export interface MemoryPolicy {
  /** RSS above this is degraded at once. */
  readonly budgetBytes: number;
  /** A least-squares slope above this (MiB a minute) over the window is degraded... */
  readonly maxSlopeMiBPerMin: number;
  /** ...once the readings span at least this long: a slope over a few minutes is noise (GC, caches warming). */
  readonly sustainedMs: number;
  /** How far back the slope looks (an hour). */
  readonly windowMs: number;
}

export interface MemoryVerdict {
  readonly rss_bytes: number | null;
  /** Least-squares slope of RSS over the window, MiB a minute; null with fewer than two readings. */
  readonly slope_mib_per_min: number | null;
  /** How long the readings in the window span. */
  readonly span_s: number;
  readonly reasons: readonly string[];
}

const MIB = 2 ** 20;

/** The readings with `p` added and those older than the window dropped: at most one window's worth. Pure. */
export function addPoint(points: readonly MemoryPoint[], p: MemoryPoint, windowMs: number): MemoryPoint[] {
  return [...points.filter((q) => p.at - q.at <= windowMs && q.at <= p.at), p];
}

/** Least-squares slope in MiB a minute, or null when it is not defined (fewer than two instants). Pure. */
export function slopeMiBPerMin(points: readonly MemoryPoint[]): number | null {
  if (points.length < 2) return null;
  const t0 = points[0]?.at ?? 0;
  const n = points.length;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += (p.at - t0) / 60_000;
    sy += p.rss / MIB;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const dx = (p.at - t0) / 60_000 - mx;
    sxx += dx * dx;
    sxy += dx * (p.rss / MIB - my);
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** What health says about memory, from the readings of the last window. Pure. */
export function memoryVerdict(points: readonly MemoryPoint[], policy: MemoryPolicy): MemoryVerdict {
  const last = points.at(-1);
  const first = points[0];
  const span = last && first ? last.at - first.at : 0;
  const slope = slopeMiBPerMin(points);
  const reasons: string[] = [];
  if (last && last.rss > policy.budgetBytes)
    reasons.push(
      `daemon RSS ${(last.rss / MIB).toFixed(0)} MiB is above its budget of ${(policy.budgetBytes / MIB).toFixed(0)} MiB`,
    );
  if (slope !== null && span >= policy.sustainedMs && slope > policy.maxSlopeMiBPerMin) {
    reasons.push(
      `daemon RSS grew ${slope.toFixed(2)} MiB a minute over the last ${Math.round(span / 60_000)} minutes (limit ${policy.maxSlopeMiBPerMin})`,
    );
  }
  return {
    rss_bytes: last?.rss ?? null,
    slope_mib_per_min: slope === null ? null : Math.round(slope * 1000) / 1000,
    span_s: Math.round(span / 1000),
    reasons,
  };
}
