/**
 * Per-user limits a minute for routes that read much of the store (on top of the API's own per
 * address and per user limits): a viewer's script, or a stolen token, cannot keep the box busy
 * re-verifying the audit chain or building evidence packs and KPI figures. Generous for people.
 */
export const EXPENSIVE = {
  /** `GET /v1/audit/verify`: walks and re-MACs the whole chain. */
  auditVerify: { perMinute: 2 },
  /** `POST /v1/incidents/:id/export`: builds and signs a pack with its snapshots. */
  evidenceExport: { perMinute: 6 },
  /** `GET /v1/incidents`: filtered pages of the incident store. */
  incidentList: { perMinute: 60 },
  /** `GET /v1/metrics/summary` and `/v1/metrics/weekly`: figures over every incident in the range. */
  kpiSummary: { perMinute: 12 },
  /** `POST /v1/cameras/:id/detect`: two detector passes beside the cameras' own. */
  detectPreview: { perMinute: 12 },
  /** `POST /v1/cameras/probe`: an ffprobe process that connects to the address given. */
  cameraProbe: { perMinute: 12 },
  /** `POST /v1/watchlist/face-preview`: a face detector pass on an uploaded photo. */
  facePreview: { perMinute: 30 },
  /** `POST /v1/diagnose`: runs ffmpeg, journalctl and the system probes of `vigil diagnose`. */
  supportBundle: { perMinute: 2 },
} as const;
