import type { Incident } from "../contract/incident.js";
import type { Database } from "../store/database.js";
import { END_PREFIX, endBound } from "./incident-index-keys.js";
import type { IncidentIndex } from "./incident-index.js";
import {
  footprintOf,
  type IncidentFootprint,
  type RetentionPlan,
  type RetentionPolicy,
  retentionPlan,
} from "./retention.js";

/** What a sweep deletes, and the incidents it read to decide (their index and rollup changes go with them). */
export interface RetentionCandidates {
  readonly plan: RetentionPlan;
  readonly incidents: ReadonlyMap<string, Incident>;
}

/** End-time entries read per step of the budget walk (each step reads their incidents). */
const STEP = 256;

/**
 * The sweep's choice through the end-time index (`e!<last change>|<id>`, finished incidents
 * only, in deletion order) and the kept total of stored bytes: reads the entries older than the
 * age cutoff, then, while the total is over the budget, the next oldest a step at a time. What it
 * reads grows with what it deletes, never with what the store keeps. Chooses exactly what
 * `retentionPlan` over every incident chooses (`scanCandidates`; property-tested), given the ids
 * order the same bytewise as by localeCompare (UUIDs do) where two last changes share a millisecond.
 */
export async function indexedCandidates(
  database: Database,
  index: IncidentIndex,
  policy: RetentionPolicy,
  now: number,
): Promise<RetentionCandidates> {
  await index.ready();
  const { incident_idx: idx, incidents: sub } = database.sublevels;
  const known = new Map<string, Incident>();
  const read = async (keys: string[]): Promise<IncidentFootprint[]> => {
    const ids = keys.map((k) => k.slice(k.indexOf("|") + 1));
    const found = (await sub.getMany(ids)) as Array<Incident | undefined>;
    const out: IncidentFootprint[] = [];
    for (const i of found) {
      if (!i) continue;
      known.set(i.id, i);
      out.push(footprintOf(i));
    }
    return out;
  };
  const byAge: string[] = [];
  let bytes = index.totalBytes();
  let from = END_PREFIX;
  if (policy.maxAgeDays > 0) {
    const lt = endBound(now - policy.maxAgeDays * 86_400_000);
    const keys = await idx.keys({ gte: END_PREFIX, lt }).all();
    for (let k = 0; k < keys.length; k += STEP) {
      for (const f of await read(keys.slice(k, k + STEP))) {
        byAge.push(f.id);
        bytes -= f.bytes;
      }
    }
    from = lt;
  }
  const byBudget: string[] = [];
  let last: string | undefined;
  while (policy.maxBytes > 0 && bytes > policy.maxBytes) {
    const range =
      last === undefined
        ? { gte: from, lt: `${END_PREFIX}\uffff`, limit: STEP }
        : { gt: last, lt: `${END_PREFIX}\uffff`, limit: STEP };
    const keys = await idx.keys(range).all();
    if (keys.length === 0) break;
    last = keys.at(-1);
    for (const f of await read(keys)) {
      if (bytes <= policy.maxBytes) break;
      byBudget.push(f.id);
      bytes -= f.bytes;
    }
  }
  return { plan: { byAge, byBudget, bytesAfter: bytes }, incidents: known };
}

/**
 * The sweep before the end-time index: every incident read, and `retentionPlan` over all of
 * them. Kept as the reference the index-driven sweep is tested and benchmarked against.
 */
export async function scanCandidates(
  database: Database,
  policy: RetentionPolicy,
  now: number,
): Promise<RetentionCandidates> {
  const items: IncidentFootprint[] = [];
  const known = new Map<string, Incident>();
  for await (const value of database.sublevels.incidents.values()) {
    const i = value as Incident;
    items.push(footprintOf(i));
    known.set(i.id, i);
  }
  return { plan: retentionPlan(items, policy, now), incidents: known };
}
