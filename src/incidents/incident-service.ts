import { randomUUID } from "node:crypto";
import type { AuditRecorder } from "../contract/audit.js";
import type { Detection } from "../contract/detection.js";
import type { VigilEvents } from "../contract/events.js";
import type { Incident, IncidentStatus } from "../contract/incident.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { validateIncident, type ValidatorPolicy } from "./incident-validator.js";
import { applyDecision, type DecisionInput } from "./lifecycle.js";
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
export interface IncidentQuery {
  readonly status?: IncidentStatus | undefined;
  readonly camera?: string | undefined;
  readonly rule?: string | undefined;
  readonly zone?: string | undefined;
  /** Inclusive bounds on `started_at` (epoch ms). */
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly limit: number;
  /** From a previous page's `next_cursor`. */
  readonly cursor?: string | undefined;
}

/** Newest first; the cursor is the sort key of the last item returned. */
function sortKey(i: Incident): string {
  return `${i.started_at}|${i.id}`;
}

export class IncidentService {
  /** One change at a time per incident: the rule's `markEnded` and operators' decisions never interleave. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly bus: EventBus<VigilEvents>,
    private readonly log: Logger,
    private readonly audit?: AuditRecorder,
    private readonly policy: ValidatorPolicy = { minConfidence: 0.5 },
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
    return this.serialised(id, async () => {
      const current = await this.get(id);
      if (!current || current.ended_at !== null) return current;
      const iso = new Date(endedAt).toISOString();
      return this.write({ ...current, version: current.version + 1, last_seen_at: iso, ended_at: iso }, "incident.updated");
    });
  }

  /**
   * A human's decision (or a supervisor's approval). Serialised per incident and checked against
   * the current version, so of two concurrent decisions exactly one wins; the incident, its
   * `incident.updated` and the audit entry are queued in the same tick and so share one fsynced
   * batch: nothing is half-written.
   */
  async decide(id: string, decision: Omit<DecisionInput, "at">, source?: string): Promise<Incident> {
    return this.serialised(id, async () => {
      const current = await this.get(id);
      if (!current) throw new VigilError(ErrorCodes.NOT_FOUND, `no incident ${id}`);
      const next = applyDecision(current, { ...decision, at: new Date(this.now()).toISOString() });
      const written = this.write(next, "incident.updated");
      const audited = this.audit?.record({
        actor: decision.actor,
        source,
        action: decision.action === "approve" ? "incident.approved" : "incident.decision",
        target: `incident:${id}`,
        result: "ok",
        details: { action: decision.action, before: current.status, after: next.status, version: next.version, ...(decision.reason ? { reason: decision.reason } : {}), ...(decision.note ? { note: decision.note } : {}) },
      });
      const [incident] = await Promise.all([written, audited]);
      return incident;
    });
  }

  /** Every stored incident (KPIs read them all; retention keeps the number bounded). */
  async all(): Promise<Incident[]> {
    return (await this.database.sublevels.incidents.values().all()) as Incident[];
  }

  /** Incidents matching the filters, newest first, a page at a time. */
  async list(q: IncidentQuery): Promise<{ incidents: Incident[]; next_cursor: string | null }> {
    const all: Incident[] = [];
    for await (const value of this.database.sublevels.incidents.values()) {
      const i = value as Incident;
      if (q.status !== undefined && i.status !== q.status) continue;
      if (q.camera !== undefined && i.camera_id !== q.camera) continue;
      if (q.rule !== undefined && i.rule !== q.rule) continue;
      if (q.zone !== undefined && i.zone !== q.zone) continue;
      const started = Date.parse(i.started_at);
      if (q.since !== undefined && started < q.since) continue;
      if (q.until !== undefined && started > q.until) continue;
      if (q.cursor !== undefined && sortKey(i) >= q.cursor) continue;
      all.push(i);
    }
    all.sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1));
    const page = all.slice(0, q.limit);
    const last = page.at(-1);
    return { incidents: page, next_cursor: all.length > q.limit && last ? sortKey(last) : null };
  }

  private serialised<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }

  private async write(proposed: Incident, type: "incident.created" | "incident.updated"): Promise<Incident> {
    const incident = validateIncident(proposed, this.policy);
    const envelope = await this.outbox.append("incidents", type, incident, [
      { type: "put", sublevel: this.database.sublevels.incidents, key: incident.id, value: incident },
    ]);
    this.log.info({ incident: incident.id, camera: incident.camera_id, rule: incident.rule, type, seq: envelope.seq }, "incident stored");
    this.bus.emit("incident.changed", { incident, type });
    return incident;
  }
}
