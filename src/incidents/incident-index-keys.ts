import type { Incident, IncidentStatus } from "../contract/incident.js";
import { footprintOf, RETAINABLE } from "./retention.js";

/**
 * The incident indexes' key layout (sublevel `incident_idx`), pure. Every entry ends with the
 * incident's sort key `<started_at ISO>|<id>`, which is also the listing cursor, so one cursor
 * continues a listing whichever index serves it. Walked in reverse: newest first.
 *
 *   a!<sort key>                 every incident
 *   s!<status>!<sort key>        c!<camera>!…   r!<rule>!…   z!<zone>!… (only when zone is set)
 *   n!<dim>!<value>              how many entries index <dim>!<value> holds (counts)
 *   e!<last change ISO>|<id>     finished (dismissed, closed) incidents by end time: retention
 *   n!b!total                    the stored bytes of every incident (retention's disk budget)
 *
 * Values are escaped (encodeURIComponent, and `!`) so no value can reach into another's range.
 * An entry's value is the incident's filter fields, so a walk checks the other filters without
 * reading the incident.
 */
export type IndexDim = "s" | "c" | "r" | "z";
export type IndexValue = readonly [status: IncidentStatus, camera: string, rule: string, zone: string | null];

export interface IndexFilter {
  readonly status?: IncidentStatus | undefined;
  readonly camera?: string | undefined;
  readonly rule?: string | undefined;
  readonly zone?: string | undefined;
  /** Inclusive bounds on `started_at` (epoch ms). */
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  /** Exclusive: only entries older than this sort key. */
  readonly cursor?: string | undefined;
}

/** After every key of a prefix (all escaped values and ISO times are ASCII). */
const END = "\uffff";

export function escapeValue(v: string): string {
  return encodeURIComponent(v).replace(/!/g, "%21");
}

export function sortKey(i: Pick<Incident, "started_at" | "id">): string {
  return `${i.started_at}|${i.id}`;
}

export function indexValue(i: Incident): IndexValue {
  return [i.status, i.camera_id, i.rule, i.zone];
}

function dimValues(v: IndexValue): Array<[IndexDim, string]> {
  const out: Array<[IndexDim, string]> = [
    ["s", v[0]],
    ["c", v[1]],
    ["r", v[2]],
  ];
  if (v[3] !== null) out.push(["z", v[3]]);
  return out;
}

export const countKey = (dim: IndexDim, value: string): string => `n!${dim}!${escapeValue(value)}`;
/** The sum of every incident's stored bytes (as retention weighs them), kept like the counts. */
export const BYTES_KEY = "n!b!total";
export const END_PREFIX = "e!";

/** The earliest and latest instants whose ISO form is 24 characters and so sorts as time. */
const ISO_MIN = Date.parse("0000-01-01T00:00:00.000Z");
const ISO_MAX = Date.parse("9999-12-31T23:59:59.999Z");

/** `e!<ISO>`: the bound of the end-time index before every incident that finished at `ms` or later. */
export function endBound(ms: number): string {
  return `${END_PREFIX}${new Date(Math.min(ISO_MAX, Math.max(ISO_MIN, ms))).toISOString()}`;
}

/**
 * The end-time entry of a finished incident (retention's candidates), keyed by its last change
 * then id, the order retention deletes in; undefined while it is not finished (never deleted).
 */
export function endKey(i: Incident): string | undefined {
  if (!RETAINABLE.has(i.status)) return undefined;
  const { lastChange } = footprintOf(i);
  if (!Number.isFinite(lastChange) || lastChange < ISO_MIN || lastChange > ISO_MAX) return undefined;
  return `${END_PREFIX}${new Date(lastChange).toISOString()}|${i.id}`;
}

/** What an incident adds to every counter: one per index value, its bytes to the total. */
export function countersOf(i: Incident): Array<[counter: string, amount: number]> {
  const out: Array<[string, number]> = dimValues(indexValue(i)).map(([d, v]) => [countKey(d, v), 1]);
  out.push([BYTES_KEY, footprintOf(i).bytes]);
  return out;
}
const prefixOf = (dim: IndexDim, value: string): string => `${dim}!${escapeValue(value)}!`;

/** Every index entry key of an incident (its counters: `countersOf`). */
export function entriesOf(i: Incident): Array<{ key: string }> {
  const sk = sortKey(i);
  const end = endKey(i);
  return [
    { key: `a!${sk}` },
    ...dimValues(indexValue(i)).map(([d, v]) => ({ key: `${prefixOf(d, v)}${sk}` })),
    ...(end === undefined ? [] : [{ key: end }]),
  ];
}

/** Whether an entry's fields pass the filters (time and cursor are the range's business). */
export function matchesFields(v: IndexValue, f: IndexFilter): boolean {
  return (
    (f.status === undefined || v[0] === f.status) &&
    (f.camera === undefined || v[1] === f.camera) &&
    (f.rule === undefined || v[2] === f.rule) &&
    (f.zone === undefined || v[3] === f.zone)
  );
}

/** The same filters on a whole incident, time and cursor included: what a full scan applies. */
export function matchesIncident(i: Incident, f: IndexFilter): boolean {
  if (!matchesFields(indexValue(i), f)) return false;
  const started = Date.parse(i.started_at);
  if (f.since !== undefined && started < f.since) return false;
  if (f.until !== undefined && started > f.until) return false;
  return f.cursor === undefined || sortKey(i) < f.cursor;
}

export interface WalkPlan {
  /** Inclusive lower and exclusive upper bound; walk in reverse. */
  readonly gte: string;
  readonly lt: string;
  /** The sort key of an entry is `key.slice(prefixLength)`. */
  readonly prefixLength: number;
}

/**
 * The range to walk: the filtered dimension with the fewest entries (by `count`), or every
 * incident, narrowed by since, until and the cursor. `undefined` when a filter's count is 0.
 */
export function planWalk(f: IndexFilter, count: (counter: string) => number): WalkPlan | undefined {
  const candidates: Array<[IndexDim, string | undefined]> = [
    ["s", f.status],
    ["c", f.camera],
    ["r", f.rule],
    ["z", f.zone],
  ];
  let prefix = "a!";
  let best = Infinity;
  for (const [dim, value] of candidates) {
    if (value === undefined) continue;
    const n = count(countKey(dim, value));
    if (n === 0) return undefined;
    if (n < best) {
      best = n;
      prefix = prefixOf(dim, value);
    }
  }
  let lt = prefix + END;
  // `}` sorts after `|`: every key that started at `until` is inside.
  if (f.until !== undefined) lt = minString(lt, `${prefix}${new Date(f.until).toISOString()}}`);
  if (f.cursor !== undefined) lt = minString(lt, prefix + f.cursor);
  const gte = f.since === undefined ? prefix : `${prefix}${new Date(f.since).toISOString()}`;
  return { gte, lt, prefixLength: prefix.length };
}

function minString(a: string, b: string): string {
  return a < b ? a : b;
}
