import type { DetectionResult } from "./detection.js";
import type { FacesFact } from "./faces.js";
import type { Incident } from "./incident.js";

/** An event a camera pushed (`POST /v1/ingest/:cameraId/events`), e.g. `tamper` or `motion`. */
export interface CameraEvent {
  readonly cameraId: string;
  readonly event: string;
  /** Epoch ms; the camera's `occurred_at` when it sent one, else when it was received. */
  readonly at: number;
  readonly details: Readonly<Record<string, unknown>>;
}

export type CameraStateName = "starting" | "online" | "stalled" | "backoff" | "offline" | "disabled";

/** Facts that fan out inside the daemon on the event bus (commands are direct method calls). */
export interface VigilEvents extends Record<string, unknown> {
  "camera.state": { readonly cameraId: string; readonly state: CameraStateName; readonly at: number };
  detections: DetectionResult;
  /** Watchlist matches (and unknown faces, when configured) of one frame; see contract/faces.ts. */
  faces: FacesFact;
  "camera.event": CameraEvent;
  /** A person was removed from the watchlist; whatever still remembers their match forgets it. */
  "watchlist.deleted": { readonly personId: string };
  "incident.changed": { readonly incident: Incident; readonly type: "incident.created" | "incident.updated" };
}
