import type { Incident, IncidentStatus } from "../contract/incident.js";

/** Statuses that are finished business: only these are ever deleted. */
export const RETAINABLE: ReadonlySet<IncidentStatus> = new Set<IncidentStatus>(["dismissed", "closed"]);

export interface RetentionPolicy {
  /** Finished incidents whose last change is older than this are deleted; 0 keeps them by age. */
  readonly maxAgeDays: number;
  /** The incidents' stored bytes above which the oldest finished ones go first; 0: no budget. */
  readonly maxBytes: number;
}

export interface IncidentFootprint {
  readonly id: string;
  readonly status: IncidentStatus;
  /** Epoch ms of the incident's last change (its last history step). */
  readonly lastChange: number;
  readonly bytes: number;
}

export interface RetentionPlan {
  readonly byAge: readonly string[];
  readonly byBudget: readonly string[];
  readonly bytesAfter: number;
}

/**
 * Which incidents to delete: finished ones past the age limit, then the oldest finished ones
 * until the stored bytes fit the budget. Open or under-review incidents are never chosen, even
 * if that leaves the store over budget. Pure.
 */
export function retentionPlan(
  items: readonly IncidentFootprint[],
  policy: RetentionPolicy,
  now: number,
): RetentionPlan {
  const total = items.reduce((sum, i) => sum + i.bytes, 0);
  const finished = items
    .filter((i) => RETAINABLE.has(i.status))
    .sort((a, b) => a.lastChange - b.lastChange || a.id.localeCompare(b.id));
  const cutoff = policy.maxAgeDays > 0 ? now - policy.maxAgeDays * 86_400_000 : undefined;
  const byAge = cutoff === undefined ? [] : finished.filter((i) => i.lastChange < cutoff);
  let bytes = total - byAge.reduce((sum, i) => sum + i.bytes, 0);
  const byBudget: string[] = [];
  if (policy.maxBytes > 0) {
    const gone = new Set(byAge.map((i) => i.id));
    for (const i of finished) {
      if (bytes <= policy.maxBytes) break;
      if (gone.has(i.id)) continue;
      byBudget.push(i.id);
      bytes -= i.bytes;
    }
  }
  return { byAge: byAge.map((i) => i.id), byBudget, bytesAfter: bytes };
}

/** What retention weighs of an incident: its last change and its stored bytes (JSON and snapshots). */
export function footprintOf(i: Incident): IncidentFootprint {
  const last = i.history.at(-1)?.at ?? i.last_seen_at;
  const snapshotBytes = (i.snapshots ?? []).reduce((sum, r) => sum + r.bytes, 0);
  return {
    id: i.id,
    status: i.status,
    lastChange: Date.parse(last),
    bytes: Buffer.byteLength(JSON.stringify(i)) + snapshotBytes,
  };
}
