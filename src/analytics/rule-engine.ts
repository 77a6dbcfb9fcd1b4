import { randomUUID } from "node:crypto";
import type { DetectionResult } from "../contract/detection.js";
import type { CameraEvent, VigilEvents } from "../contract/events.js";
import type { SnapshotRef } from "../contract/incident.js";
import type { LatestFrames } from "../contract/latest-frames.js";
import type { EventBus } from "../core/event-bus.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { IncidentService } from "../incidents/incident-service.js";
import type { SnapshotStore } from "../incidents/snapshot-store.js";
import { analyseFrame, type CameraAnalysisState, NEW_CAMERA_ANALYSIS } from "./camera-analysis.js";
import {
  analyseFaces,
  type FaceAnalysisState,
  type FaceRulesSetup,
  forgetPerson,
  NEW_FACE_ANALYSIS,
  seenFaces,
} from "./face-analysis.js";
import type { SeenFace } from "./rules/candidate.js";
import {
  closeExpired,
  type GroupAction,
  groupCandidates,
  type GroupingState,
  type IncidentCaps,
  type IncidentGroup,
  NO_GROUPS,
} from "./grouping.js";
import type { RuleCandidate, ZoneRule } from "./rules/candidate.js";
import { tamperRule, type TamperOptions } from "./rules/tamper.js";
import type { TrackerOptions } from "./tracker.js";
import type { ZoneDef } from "./zones.js";

export interface RuleEngineSetup extends FaceRulesSetup {
  readonly zones: ReadonlyMap<string, readonly ZoneDef[]>;
  readonly zoneRules: readonly ZoneRule[];
  readonly tracker: TrackerOptions;
  readonly groupWindowMs: number;
  readonly maxSnapshots: number;
  /** Past these an incident ends and a linked continuation opens. */
  readonly caps: IncidentCaps;
  readonly tamper: TamperOptions | undefined;
  /** How often groups nothing joined are closed even when their camera sends no frames. */
  readonly sweepIntervalMs: number;
}

export interface RuleEngineDeps {
  readonly bus: EventBus<VigilEvents>;
  readonly incidents: Pick<IncidentService, "create" | "update">;
  readonly snapshots?: SnapshotStore | undefined;
  readonly frames?: LatestFrames | undefined;
  readonly log: Logger;
  readonly now?: () => number;
}

interface Raised {
  readonly incidentId: string;
  snapshots: SnapshotRef[];
}

/**
 * Runs the configured rules on what the cameras see (`detections`, `faces`, `camera.event` on the
 * bus) and turns grouped candidates into incidents: raised once per group, updated when a new
 * object joins, ended when nothing joined for the group window. The analysis is pure (tracker,
 * zones, rules, grouping); this class keeps their state and does the writes, one camera's writes
 * one after another, so an update never overtakes its create.
 */
export class RuleEngine implements Component {
  readonly name = "rule-engine";
  private readonly cameras = new Map<string, CameraAnalysisState>();
  private readonly faces = new Map<string, FaceAnalysisState>();
  private groups: GroupingState = NO_GROUPS;
  private readonly raised = new Map<number, Promise<Raised | undefined>>();
  private readonly chains = new Map<string, Promise<void>>();
  /** By the local id of a group closed at a cap: its incident and the id its continuation takes. */
  private readonly handoffs = new Map<number, { readonly ended: string; readonly next: string }>();
  private readonly unsubscribe: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private zones: ReadonlyMap<string, readonly ZoneDef[]>;
  private zoneRules: readonly ZoneRule[];

  constructor(
    private readonly setup: RuleEngineSetup,
    private readonly deps: RuleEngineDeps,
  ) {
    this.zones = setup.zones;
    this.zoneRules = setup.zoneRules;
  }

  /**
   * New zones and zone rules (a runtime camera's were edited): a camera whose zones or rules
   * changed starts its zone analysis over; every other camera keeps its tracks and timers.
   */
  replaceZones(zones: ReadonlyMap<string, readonly ZoneDef[]>, zoneRules: readonly ZoneRule[]): void {
    const of = (z: ReadonlyMap<string, readonly ZoneDef[]>, r: readonly ZoneRule[], id: string): string =>
      JSON.stringify([z.get(id) ?? [], r.filter((x) => x.cameraId === id)]);
    const ids = new Set([
      ...this.zones.keys(),
      ...zones.keys(),
      ...this.zoneRules.map((r) => r.cameraId),
      ...zoneRules.map((r) => r.cameraId),
    ]);
    for (const id of ids) if (of(this.zones, this.zoneRules, id) !== of(zones, zoneRules, id)) this.cameras.delete(id);
    this.zones = zones;
    this.zoneRules = zoneRules;
  }

  async start(): Promise<void> {
    const { bus } = this.deps;
    // Always listening: zone rules may be added while the daemon runs (runtime cameras).
    this.unsubscribe.push(bus.on("detections", (r) => this.handleDetections(r)));
    if (this.setup.watchlist || this.setup.unknown) {
      this.unsubscribe.push(bus.on("faces", (f) => this.handleFaces(f.cameraId, seenFaces(f.faces), f.capturedAt)));
      this.unsubscribe.push(bus.on("watchlist.deleted", (d) => this.forgetPerson(d.personId)));
    }
    if (this.setup.tamper) this.unsubscribe.push(bus.on("camera.event", (e) => this.handleCameraEvent(e)));
    if (this.setup.sweepIntervalMs > 0) {
      this.timer = setInterval(() => this.sweep((this.deps.now ?? Date.now)()), this.setup.sweepIntervalMs);
      this.timer.unref();
    }
  }

  /** Ends every open incident at its last sighting: after a restart nothing carries them on. */
  async stop(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    clearInterval(this.timer);
    this.sweep(Number.POSITIVE_INFINITY);
    await this.drain();
  }

  handleDetections(result: DetectionResult): void {
    const rules = this.zoneRules.filter((r) => r.cameraId === result.cameraId);
    if (rules.length === 0) return;
    const step = analyseFrame(
      this.cameras.get(result.cameraId) ?? NEW_CAMERA_ANALYSIS,
      result.detections,
      result.capturedAt,
      {
        zones: this.zones.get(result.cameraId) ?? [],
        rules,
        tracker: this.setup.tracker,
      },
    );
    this.cameras.set(result.cameraId, step.state);
    this.apply(result.cameraId, step.candidates, result.capturedAt);
  }

  handleFaces(cameraId: string, faces: readonly SeenFace[], at: number): void {
    const step = analyseFaces(this.faces.get(cameraId) ?? NEW_FACE_ANALYSIS, faces, cameraId, at, this.setup);
    this.faces.set(cameraId, step.state);
    this.apply(cameraId, step.candidates, at);
  }

  /** Tracks that matched a deleted person stop naming them at once, not when they end. */
  forgetPerson(personId: string): void {
    for (const [cameraId, state] of this.faces) this.faces.set(cameraId, forgetPerson(state, personId));
  }

  handleCameraEvent(e: CameraEvent): void {
    const candidate = this.setup.tamper ? tamperRule(e, this.setup.tamper) : undefined;
    this.apply(e.cameraId, candidate ? [candidate] : [], e.at);
  }

  /** Closes groups that nothing joined for the window (all cameras). */
  sweep(at: number): void {
    const closed = closeExpired(this.groups, at, this.setup.groupWindowMs);
    this.groups = closed.state;
    for (const a of closed.actions) this.enqueue(a);
  }

  /** Waits for the incident writes under way. */
  async drain(): Promise<void> {
    while ([...this.chains.values()].length > 0) {
      const pending = [...this.chains.values()];
      await Promise.all(pending);
      if ([...this.chains.values()].every((c, i) => c === pending[i])) return;
    }
  }

  private apply(cameraId: string, candidates: readonly RuleCandidate[], at: number): void {
    // Candidates first: a group refreshed by this frame is not stale, whatever the window.
    const grouped = groupCandidates(this.groups, candidates, this.setup.groupWindowMs, this.setup.caps);
    const expired = closeExpired(grouped.state, at, this.setup.groupWindowMs, cameraId);
    this.groups = expired.state;
    for (const a of [...grouped.actions, ...expired.actions]) this.enqueue(a);
  }

  private enqueue(action: GroupAction): void {
    const cameraId = action.group.first.cameraId;
    const next = (this.chains.get(cameraId) ?? Promise.resolve())
      .then(() => this.write(action))
      .catch((err: unknown) =>
        this.deps.log.error(
          { err, camera: cameraId, rule: action.group.first.rule, action: action.kind },
          "could not record incident",
        ),
      );
    this.chains.set(cameraId, next);
  }

  private async write(action: GroupAction): Promise<void> {
    const g = action.group;
    if (action.kind === "open") {
      const opened = this.open(g);
      this.raised.set(g.id, opened);
      await opened;
      return;
    }
    const raised = await this.raised.get(g.id);
    if (action.kind === "close") this.raised.delete(g.id);
    if (!raised) return;
    // The continuation (the next action on this camera's chain) takes the id named here.
    const continuedBy = action.kind === "close" && action.continued ? randomUUID() : undefined;
    if (continuedBy) this.handoffs.set(g.id, { ended: raised.incidentId, next: continuedBy });
    if (action.kind === "join" && raised.snapshots.length < this.setup.maxSnapshots) {
      const snap = await this.snapshot(raised.incidentId, raised.snapshots.length + 1, g.first.cameraId);
      if (snap) raised.snapshots = [...raised.snapshots, snap];
    }
    await this.deps.incidents.update(raised.incidentId, {
      objects: [...g.objects.values()],
      lastSeenAt: g.lastSeenAt,
      confidence: g.confidence,
      snapshots: raised.snapshots.length > 0 ? raised.snapshots : undefined,
      ...(action.kind === "close" ? { endedAt: g.lastSeenAt } : {}),
      ...(continuedBy ? { continuedBy } : {}),
    });
  }

  private async open(g: IncidentGroup): Promise<Raised | undefined> {
    const c = g.first;
    const handoff = g.continues === undefined ? undefined : this.handoffs.get(g.continues);
    if (g.continues !== undefined) this.handoffs.delete(g.continues);
    const id = handoff?.next ?? randomUUID();
    const first = this.setup.maxSnapshots > 0 ? await this.snapshot(id, 1, c.cameraId) : undefined;
    const snapshots = first ? [first] : [];
    await this.deps.incidents.create({
      id,
      cameraId: c.cameraId,
      rule: c.rule,
      zone: c.zone,
      objects: [...g.objects.values()],
      startedAt: g.startedAt,
      lastSeenAt: g.lastSeenAt,
      summary: c.summary,
      nextStep: c.nextStep,
      confidence: g.confidence,
      ...(snapshots.length > 0 ? { snapshots } : {}),
      ...(c.identity ? { identity: c.identity } : {}),
      ...(handoff ? { continues: handoff.ended } : {}),
    });
    return { incidentId: id, snapshots };
  }

  /** A snapshot is evidence, not a precondition: without a frame (or on a disk error) the incident goes ahead. */
  private async snapshot(incidentId: string, n: number, cameraId: string): Promise<SnapshotRef | undefined> {
    const frame = this.deps.frames?.latestJpeg(cameraId);
    if (!frame || !this.deps.snapshots) return undefined;
    try {
      return await this.deps.snapshots.save(incidentId, n, frame.jpeg, frame.capturedAt);
    } catch (err) {
      this.deps.log.warn({ err, incident: incidentId, camera: cameraId }, "snapshot not saved");
      return undefined;
    }
  }
}
