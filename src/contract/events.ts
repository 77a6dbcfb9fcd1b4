import type { DetectionResult, NormalizedBox } from "./detection.js";
import type { Incident } from "./incident.js";

/** A face seen by face recognition: `identity` is its watchlist match, or null (unknown). */
export interface RecognisedFace {
  readonly box: NormalizedBox;
  readonly score: number;
  readonly identity: { readonly personId: string; readonly name: string; readonly similarity: number } | null;
}

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
  "detections": DetectionResult;
  "faces": { readonly cameraId: string; readonly capturedAt: number; readonly faces: readonly RecognisedFace[] };
  "camera.event": CameraEvent;
  "incident.changed": { readonly incident: Incident; readonly type: "incident.created" | "incident.updated" };
}
