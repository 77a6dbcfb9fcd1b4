import type { DetectionResult } from "../contract/detection.js";
import type { Logger } from "../core/logger.js";
import type { IncidentService } from "../incidents/incident-service.js";
import {
  type FacePresenceOptions,
  type FacePresenceState,
  INITIAL_FACE_PRESENCE,
  stepFacePresence,
} from "./face-presence.js";

/**
 * Applies the face-presence rule to each camera's detection results and turns its episodes into
 * incidents. Results are handled one at a time per camera (a promise chain) so an episode's
 * "ended" can never overtake its "started".
 */
export class FacePresenceRule {
  private readonly states = new Map<string, FacePresenceState>();
  private readonly openIncident = new Map<string, string>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly options: FacePresenceOptions,
    private readonly incidents: IncidentService,
    private readonly log: Logger,
  ) {}

  handle(result: DetectionResult): void {
    const faces = result.detections.filter((d) => d.label === "face");
    const { state, event } = stepFacePresence(
      this.states.get(result.cameraId) ?? INITIAL_FACE_PRESENCE,
      faces,
      result.capturedAt,
      this.options,
    );
    this.states.set(result.cameraId, state);
    if (!event) return;
    const previous = this.chains.get(result.cameraId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        if (event.kind === "started") {
          const incident = await this.incidents.create({
            cameraId: result.cameraId,
            rule: "face_present",
            objects: event.best ? [event.best] : [],
            startedAt: event.firstSeenAt,
            lastSeenAt: result.capturedAt,
            summary: `Face seen on camera ${result.cameraId} for ${event.frames} consecutive frames`,
          });
          this.openIncident.set(result.cameraId, incident.id);
        } else {
          const id = this.openIncident.get(result.cameraId);
          this.openIncident.delete(result.cameraId);
          if (id) await this.incidents.markEnded(id, result.capturedAt);
        }
      })
      .catch((err: unknown) =>
        this.log.error({ err, camera: result.cameraId, event: event.kind }, "could not record incident"),
      );
    this.chains.set(result.cameraId, next);
  }

  /** Waits for incident writes already under way (shutdown calls this before closing the store). */
  async drain(): Promise<void> {
    await Promise.all(this.chains.values());
  }
}
