import type { CameraEvent } from "../contract/events.js";

/**
 * The bus event for a camera event pushed to `POST /v1/ingest/:cameraId/events`, from the alert
 * data the route queued for central. Dated by the gateway's receipt, not the camera's
 * `occurred_at` (kept in details): a camera's clock can be anywhere, and grouping compares times
 * across sources. Pure.
 */
export function cameraEventFromAlert(data: Record<string, unknown>): CameraEvent {
  const received = typeof data.received_at === "string" ? Date.parse(data.received_at) : Number.NaN;
  const details =
    typeof data.details === "object" && data.details !== null ? (data.details as Record<string, unknown>) : {};
  return {
    cameraId: String(data.camera_id),
    event: String(data.event),
    at: Number.isFinite(received) ? received : Date.now(),
    details: { ...details, ...(typeof data.occurred_at === "string" ? { occurred_at: data.occurred_at } : {}) },
  };
}
