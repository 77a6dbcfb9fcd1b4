import type { Detection } from "./detection.js";

export type IncidentStatus = "open" | "monitoring" | "dismissed" | "escalated" | "dispatch_pending_review" | "dispatch_authorized" | "closed";
export type NextStep = "monitor" | "notify" | "dispatch";

export const DISMISS_REASONS = ["false_positive_motion", "normal_behavior", "camera_fault", "weather", "unknown"] as const;
export type DismissReason = (typeof DISMISS_REASONS)[number];

export interface IncidentHistoryEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly before: IncidentStatus | null;
  readonly after: IncidentStatus;
  readonly note?: string;
  /** The dismiss reason, on a dismissal. */
  readonly reason?: string;
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
  /** Set when dismissed: false_positive_motion, normal_behavior, camera_fault, weather or unknown. */
  readonly dismiss_reason?: DismissReason;
  readonly history: readonly IncidentHistoryEntry[];
}
