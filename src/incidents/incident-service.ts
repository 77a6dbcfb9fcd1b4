import { randomUUID } from "node:crypto";
import type { Detection } from "../contract/detection.js";
import type { VigilEvents } from "../contract/events.js";
import type { Incident } from "../contract/incident.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { Outbox } from "../sync/outbox.js";

export interface NewIncident {
  readonly cameraId: string;
  readonly rule: string;
  readonly objects: readonly Detection[];
  readonly startedAt: number;
  readonly lastSeenAt: number;
  readonly summary: string;
}

/**
 * Creates and updates incidents. Each write stores the incident and its outbox message in one
 * fsynced batch, so "raised" means "will reach the central server", even across a kill -9.
 */
export class IncidentService {
  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly bus: EventBus<VigilEvents>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: string): Promise<Incident | undefined> {
    return (await this.database.sublevels.incidents.get(id)) as Incident | undefined;
  }

  async create(input: NewIncident): Promise<Incident> {
    const at = new Date(this.now()).toISOString();
    const confidence = input.objects.reduce((m, o) => Math.max(m, o.score), 0);
    const incident: Incident = {
      id: randomUUID(),
      version: 1,
      camera_id: input.cameraId,
      rule: input.rule,
      zone: null,
      status: "open",
      confidence: Math.round(confidence * 1000) / 1000,
      objects: input.objects,
      started_at: new Date(input.startedAt).toISOString(),
      last_seen_at: new Date(input.lastSeenAt).toISOString(),
      ended_at: null,
      summary: input.summary,
      // Monitoring is the only step an unverified detection may recommend; escalation is human.
      next_step: "monitor",
      history: [{ at, actor: "system", action: "created", before: null, after: "open" }],
    };
    return this.write(incident, "incident.created");
  }

  /** Marks the end of what the incident saw (the object left); status is the operators' business. */
  async markEnded(id: string, endedAt: number): Promise<Incident | undefined> {
    const current = await this.get(id);
    if (!current || current.ended_at !== null) return current;
    const iso = new Date(endedAt).toISOString();
    return this.write({ ...current, version: current.version + 1, last_seen_at: iso, ended_at: iso }, "incident.updated");
  }

  private async write(incident: Incident, type: "incident.created" | "incident.updated"): Promise<Incident> {
    const envelope = await this.outbox.append("incidents", type, incident, [
      { type: "put", sublevel: this.database.sublevels.incidents, key: incident.id, value: incident },
    ]);
    this.log.info({ incident: incident.id, camera: incident.camera_id, rule: incident.rule, type, seq: envelope.seq }, "incident stored");
    this.bus.emit("incident.changed", { incident, type });
    return incident;
  }
}
