import type { VigilEvents } from "../contract/events.js";
import type { EventBus } from "../core/event-bus.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { IncidentService } from "../incidents/incident-service.js";
import type { Outbox } from "../store/outbox.js";
import { CAMERA_UP, type CameraFaultEvent, type CameraFaultState, onCameraState, onTick } from "./camera-fault.js";

/**
 * Turns camera outages into facts for people: a `camera.offline` alert and a `camera_fault`
 * incident once a camera has delivered no frames for the threshold, and `camera.online` (with the
 * incident marked ended) when it is back. A camera that never came up since start counts as down
 * from the moment it was started.
 */
export class CameraFaultMonitor implements Component {
  readonly name = "camera-fault-monitor";
  private readonly states = new Map<string, CameraFaultState>();
  private readonly incidentByCamera = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: EventBus<VigilEvents>,
    private readonly outbox: Outbox,
    private readonly incidents: IncidentService,
    private readonly thresholdMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = this.bus.on("camera.state", ({ cameraId, state, at }) => {
      const step = onCameraState(this.states.get(cameraId) ?? CAMERA_UP, state, at);
      this.states.set(cameraId, step.state);
      if (step.event) this.record(cameraId, step.event);
    });
    this.timer = setInterval(() => this.tick(), Math.min(1000, this.thresholdMs / 2));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.timer);
    await this.chain;
  }

  private tick(): void {
    for (const [cameraId, s] of this.states) {
      const step = onTick(s, this.now(), this.thresholdMs);
      this.states.set(cameraId, step.state);
      if (step.event) this.record(cameraId, step.event);
    }
  }

  /** Writes happen one after another so an "online" can never overtake its "offline". */
  private record(cameraId: string, event: CameraFaultEvent): void {
    this.chain = this.chain
      .then(async () => {
        if (event.kind === "offline") {
          const since = new Date(event.since).toISOString();
          this.log.warn({ camera: cameraId, since }, "camera offline");
          await this.outbox.append("alerts", "camera.offline", { camera_id: cameraId, since });
          const incident = await this.incidents.create({
            cameraId,
            rule: "camera_fault",
            objects: [],
            startedAt: event.since,
            lastSeenAt: this.now(),
            summary: `Camera ${cameraId} has delivered no frames since ${since}`,
          });
          this.incidentByCamera.set(cameraId, incident.id);
        } else {
          this.log.info({ camera: cameraId, downForS: Math.round(event.downForMs / 1000) }, "camera back online");
          await this.outbox.append("alerts", "camera.online", {
            camera_id: cameraId,
            down_for_s: Math.round(event.downForMs / 1000),
          });
          const id = this.incidentByCamera.get(cameraId);
          this.incidentByCamera.delete(cameraId);
          if (id) await this.incidents.markEnded(id, this.now());
        }
      })
      .catch((err: unknown) =>
        this.log.error({ err, camera: cameraId, event: event.kind }, "could not record a camera fault"),
      );
  }
}
