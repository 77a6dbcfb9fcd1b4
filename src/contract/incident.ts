import type { Detection } from "./detection.js";

export type IncidentStatus = "open" | "monitoring" | "dismissed" | "escalated" | "dispatch_pending_review" | "dispatch_authorized" | "closed";
export type NextStep = "monitor" | "notify" | "dispatch";

export interface IncidentHistoryEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly before: IncidentStatus | null;
  readonly after: IncidentStatus;
  readonly note?: string;
}

/** The incident document stored on the box and carried in `incident.created` / `incident.updated`. */
export interface Incident {
  readonly id: string;
  readonly version: number;
  readonly camera_id: string;
  readonly rule: string;
  readonly zone: string | null;
  readonly status: IncidentStatus;
  readonly confidence: number;
  readonly objects: readonly Detection[];
  readonly started_at: string;
  readonly last_seen_at: string;
  readonly ended_at: string | null;
  readonly summary: string;
  readonly next_step: NextStep;
  readonly history: readonly IncidentHistoryEntry[];
}
