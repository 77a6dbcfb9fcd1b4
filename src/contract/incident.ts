import type { Detection } from "./detection.js";

export type IncidentStatus =
  "open" | "monitoring" | "dismissed" | "escalated" | "dispatch_pending_review" | "dispatch_authorized" | "closed";
export type NextStep = "monitor" | "notify" | "dispatch";

export const DISMISS_REASONS = [
  "false_positive_motion",
  "normal_behavior",
  "camera_fault",
  "weather",
  "unknown",
] as const;
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

/** A detected object as an incident records it: the tracker's id when a rule tracked it. */
export interface IncidentObject extends Detection {
  readonly track_id?: number;
}

/** A JPEG of the scene, stored under `<data_dir>/<file>` and listed in evidence packs. */
export interface SnapshotRef {
  /** Relative to data_dir: `snapshots/<incident id>/<n>.jpg`. */
  readonly file: string;
  readonly captured_at: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** A stretch of a clip's window with no recording (the camera reconnected, a segment was unreadable). */
export interface ClipGap {
  readonly start: string;
  readonly end: string;
}

/** A video clip of the incident: MP4 under `<data_dir>/<file>` (docs/clips.md). */
export interface ClipRef {
  /** Relative to data_dir: `clips/<incident id>/<n>.mp4`. */
  readonly file: string;
  readonly start: string;
  readonly end: string;
  readonly duration_s: number;
  readonly sha256: string;
  readonly bytes: number;
  /** Where the window has no video, oldest first; empty when it is whole. */
  readonly gaps: readonly ClipGap[];
}

/** Who a face matched on the watchlist; only present above the watchlist threshold. */
export interface IncidentIdentity {
  readonly person_id: string;
  readonly name: string;
  readonly similarity: number;
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
  readonly objects: readonly IncidentObject[];
  readonly started_at: string;
  readonly last_seen_at: string;
  readonly ended_at: string | null;
  readonly summary: string;
  readonly next_step: NextStep;
  /** Set when dismissed: false_positive_motion, normal_behavior, camera_fault, weather or unknown. */
  readonly dismiss_reason?: DismissReason;
  readonly history: readonly IncidentHistoryEntry[];
  /** Scene JPEGs taken when the incident was raised and when new objects joined it. */
  readonly snapshots?: readonly SnapshotRef[];
  /** Video of the incident with pre- and post-roll, consecutive clips for a long one (docs/clips.md). */
  readonly clips?: readonly ClipRef[];
  /** A watchlist match (rule `watchlist_face`), kept by the validator only above threshold. */
  readonly identity?: IncidentIdentity;
  /** The incident this one continues, which ended at a cap (`rules.incident_caps`). */
  readonly continues?: string;
  /** The incident that continues this one past a cap. */
  readonly continued_by?: string;
}
