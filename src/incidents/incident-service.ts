import { randomUUID } from "node:crypto";
import type { AuditRecorder } from "../contract/audit.js";
import type { VigilEvents } from "../contract/events.js";
import type {
  ClipRef,
  Incident,
  IncidentIdentity,
  IncidentObject,
  NextStep,
  SnapshotRef,
} from "../contract/incident.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { validateIncident, type ValidatorPolicy } from "./incident-validator.js";
import { applyDecision, type DecisionInput, type DecisionRules } from "./lifecycle.js";
import type { EventBus } from "../core/event-bus.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { Outbox } from "../store/outbox.js";
import type { WriteOp } from "../store/group-commit.js";
import { IncidentIndex, type IncidentPage } from "./incident-index.js";
import type { IndexFilter } from "./incident-index-keys.js";

/**
 * Writes derived from an incident change that must land in the incident's own batch (the KPI day
 * rollups): built in commit order from the stored version and the new one (undefined: deleted),
 * undone if the batch fails.
 */
export interface IncidentWriteHook {
  prepare(previous: Incident | undefined, next: Incident | undefined): { ops: WriteOp[]; undo: () => void };
}

export interface NewIncident {
  readonly cameraId: string;
  readonly rule: string;
  readonly objects: readonly IncidentObject[];
  readonly startedAt: number;
  readonly lastSeenAt: number;
  readonly summary: string;
  /** Chosen by the caller when files (snapshots) must be named after it before it is stored. */
  readonly id?: string;
  readonly zone?: string | null;
  /** What the rule recommends; the validator lowers it below the minimum confidence. Default monitor. */
  readonly nextStep?: NextStep;
  /** Default: the highest object score. */
  readonly confidence?: number;
  readonly snapshots?: readonly SnapshotRef[];
  readonly identity?: IncidentIdentity;
  /** The incident this one continues past a cap. */
  readonly continues?: string;
}

/** What a rule may change on an incident it raised: never its status, which is the operators'. */
export interface IncidentObservation {
  readonly objects?: readonly IncidentObject[];
  readonly lastSeenAt: number;
  readonly endedAt?: number;
  readonly snapshots?: readonly SnapshotRef[];
  readonly confidence?: number;
  /** With `endedAt`: the incident that continues this one past a cap. */
  readonly continuedBy?: string;
  /** The incident's clips, the new one last (clip-recorder.ts). */
  readonly clips?: readonly ClipRef[];
}

/**
 * Creates and updates incidents. Each write stores the incident and its outbox message in one
 * fsynced batch, so "raised" means "will reach the central server", even across a kill -9.
 */
/** A page of the incident list: the index's filters (the cursor is a previous page's `next_cursor`) and its size. */
export interface IncidentQuery extends IndexFilter {
  readonly limit: number;
}

export class IncidentService {
  /** One change at a time per incident: the rule's `markEnded` and operators' decisions never interleave. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Its indexes, written in each incident's batch; a Component the daemon starts (migration). */
  readonly index: IncidentIndex;
  /** Refuses new incidents on a volume low on free space (StoreSpace; decisions always go through). */
  spaceGuard: { admit(kind: "incident"): void } | undefined;

  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly bus: EventBus<VigilEvents>,
    private readonly log: Logger,
    private readonly audit?: AuditRecorder,
    private readonly policy: ValidatorPolicy & Partial<DecisionRules> = { minConfidence: 0.5 },
    private readonly now: () => number = Date.now,
    private readonly hook?: IncidentWriteHook,
  ) {
    this.index = IncidentIndex.of(database, log);
  }

  async get(id: string): Promise<Incident | undefined> {
    return (await this.database.sublevels.incidents.get(id)) as Incident | undefined;
  }

  async create(input: NewIncident): Promise<Incident> {
    this.spaceGuard?.admit("incident");
    const at = new Date(this.now()).toISOString();
    const confidence = input.confidence ?? input.objects.reduce((m, o) => Math.max(m, o.score), 0);
    const incident: Incident = {
      id: input.id ?? randomUUID(),
      version: 1,
      camera_id: input.cameraId,
      rule: input.rule,
      zone: input.zone ?? null,
      status: "open",
      confidence: Math.round(confidence * 1000) / 1000,
      objects: input.objects,
      started_at: new Date(input.startedAt).toISOString(),
      last_seen_at: new Date(input.lastSeenAt).toISOString(),
      ended_at: null,
      summary: input.summary,
      // The rule's recommendation; the validator caps it (monitor below min confidence, never dispatch).
      next_step: input.nextStep ?? "monitor",
      history: [{ at, actor: "system", action: "created", before: null, after: "open" }],
      ...(input.snapshots ? { snapshots: input.snapshots } : {}),
      ...(input.identity ? { identity: input.identity } : {}),
      ...(input.continues ? { continues: input.continues } : {}),
    };
    return this.write(undefined, incident, "incident.created");
  }

  /**
   * What a rule saw since it raised the incident (objects that joined, last seen, end, snapshots).
   * Serialised per incident like decisions, so it never overwrites an operator's step.
   */
  async update(id: string, seen: IncidentObservation): Promise<Incident | undefined> {
    return this.serialised(id, async () => {
      const current = await this.get(id);
      if (!current) return undefined;
      const confidence =
        seen.confidence === undefined
          ? current.confidence
          : Math.round(Math.max(current.confidence, seen.confidence) * 1000) / 1000;
      const next: Incident = {
        ...current,
        version: current.version + 1,
        confidence,
        last_seen_at: new Date(Math.max(Date.parse(current.last_seen_at), seen.lastSeenAt)).toISOString(),
        ...(seen.objects ? { objects: seen.objects } : {}),
        ...(seen.endedAt !== undefined && current.ended_at === null
          ? { ended_at: new Date(seen.endedAt).toISOString() }
          : {}),
        ...(seen.snapshots ? { snapshots: seen.snapshots } : {}),
        ...(seen.clips ? { clips: seen.clips } : {}),
        ...(seen.continuedBy !== undefined && current.continued_by === undefined
          ? { continued_by: seen.continuedBy }
          : {}),
      };
      return this.write(current, next, "incident.updated");
    });
  }

  /** Marks the end of what the incident saw (the object left); status is the operators' business. */
  async markEnded(id: string, endedAt: number): Promise<Incident | undefined> {
    return this.serialised(id, async () => {
      const current = await this.get(id);
      if (!current || current.ended_at !== null) return current;
      const iso = new Date(endedAt).toISOString();
      return this.write(
        current,
        { ...current, version: current.version + 1, last_seen_at: iso, ended_at: iso },
        "incident.updated",
      );
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
      const rules = { allowSelfApproval: this.policy.allowSelfApproval ?? false };
      let next: Incident;
      try {
        next = applyDecision(current, { ...decision, at: new Date(this.now()).toISOString() }, rules);
      } catch (err) {
        // A refused self-approval is a control that worked: the audit trail shows who tried.
        if (err instanceof VigilError && err.code === ErrorCodes.FOUR_EYES) {
          await this.audit?.record({
            actor: decision.actor,
            source,
            action: "incident.approve_refused",
            target: `incident:${id}`,
            result: "denied",
            details: { rule: "four_eyes", status: current.status, version: current.version },
          });
        }
        throw err;
      }
      const written = this.write(current, next, "incident.updated");
      const audited = this.audit?.record({
        actor: decision.actor,
        source,
        action: decision.action === "approve" ? "incident.approved" : "incident.decision",
        target: `incident:${id}`,
        result: "ok",
        details: {
          action: decision.action,
          before: current.status,
          after: next.status,
          version: next.version,
          ...(decision.reason ? { reason: decision.reason } : {}),
          ...(decision.note ? { note: decision.note } : {}),
        },
      });
      const [incident] = await Promise.all([written, audited]);
      return incident;
    });
  }

  /** Every stored incident (KPIs read them all; retention keeps the number bounded). */
  async all(): Promise<Incident[]> {
    return (await this.database.sublevels.incidents.values().all()) as Incident[];
  }

  /** Incidents matching the filters, newest first, a page at a time, through the indexes. */
  list(q: IncidentQuery): Promise<IncidentPage> {
    return this.index.list(q);
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

  /** `previous` is the stored version `proposed` replaces (read under the incident's lock). */
  private async write(
    previous: Incident | undefined,
    proposed: Incident,
    type: "incident.created" | "incident.updated",
  ): Promise<Incident> {
    const incident = validateIncident(proposed, this.policy);
    const put: WriteOp = {
      type: "put",
      sublevel: this.database.sublevels.incidents,
      key: incident.id,
      value: incident,
    };
    // Counts must be loaded (and an older store migrated) before an index change is built on them.
    await this.index.ready();
    let undo: (() => void) | undefined;
    const envelope = await this.outbox.appendDeferred("incidents", type, {
      build: () => {
        const indexed = this.index.prepare(previous, incident);
        let derived: ReturnType<IncidentWriteHook["prepare"]> | undefined;
        try {
          derived = this.hook?.prepare(previous, incident);
        } catch (err) {
          indexed.undo();
          throw err;
        }
        undo = () => {
          derived?.undo();
          indexed.undo();
        };
        return { data: incident, alongside: [put, ...indexed.ops, ...(derived?.ops ?? [])] };
      },
      abort: () => undo?.(),
    });
    this.log.info(
      { incident: incident.id, camera: incident.camera_id, rule: incident.rule, type, seq: envelope.seq },
      "incident stored",
    );
    this.bus.emit("incident.changed", { incident, type });
    return incident;
  }
}
