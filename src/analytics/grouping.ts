import type { IncidentObject } from "../contract/incident.js";
import type { RuleCandidate } from "./rules/candidate.js";

/** One incident in the making: everything of one rule, zone and subject on one camera within the window. */
export interface IncidentGroup {
  /** Local, unique per engine: the engine maps it to the stored incident's id. */
  readonly id: number;
  readonly key: string;
  /** The candidate that opened it: its summary, step and identity become the incident's. */
  readonly first: RuleCandidate;
  /** Tracks (0: an event without an object) that belong to it. */
  readonly tracks: ReadonlySet<number>;
  /** By track id, best score kept, box as last seen. */
  readonly objects: ReadonlyMap<number, IncidentObject>;
  readonly startedAt: number;
  readonly lastSeenAt: number;
  readonly confidence: number;
}

export interface GroupingState {
  readonly nextId: number;
  readonly open: ReadonlyMap<string, IncidentGroup>;
}

export type GroupAction =
  | { readonly kind: "open"; readonly group: IncidentGroup }
  | { readonly kind: "join"; readonly group: IncidentGroup; readonly trackId: number }
  | { readonly kind: "close"; readonly group: IncidentGroup };

export const NO_GROUPS: GroupingState = { nextId: 1, open: new Map() };

/** One incident per (camera, rule, zone, subject) at a time. */
export function groupKey(c: RuleCandidate): string {
  return `${c.cameraId}|${c.rule}|${c.zone ?? ""}|${c.subject}`;
}

function withObject(objects: ReadonlyMap<number, IncidentObject>, c: RuleCandidate): ReadonlyMap<number, IncidentObject> {
  if (!c.object) return objects;
  const before = objects.get(c.trackId);
  const object = before && before.score > c.object.score ? { ...c.object, score: before.score } : c.object;
  return new Map([...objects, [c.trackId, object]]);
}

/** Closes the groups (of one camera, or all) that nothing joined for longer than the window. Pure. */
export function closeExpired(state: GroupingState, at: number, windowMs: number, cameraId?: string): { state: GroupingState; actions: GroupAction[] } {
  const open = new Map(state.open);
  const actions: GroupAction[] = [];
  for (const [key, g] of state.open) {
    if (cameraId !== undefined && g.first.cameraId !== cameraId) continue;
    if (at - g.lastSeenAt > windowMs) {
      open.delete(key);
      actions.push({ kind: "close", group: g });
    }
  }
  return { state: { ...state, open }, actions };
}

/**
 * Folds candidates into groups: a candidate of a track already in its group only refreshes it
 * (last seen, best score), however long the track stays; a new track within the window joins
 * it; anything else opens a group (closing the stale one first).
 * So a person walking through a zone is one incident, and so are two people following each
 * other in. Pure.
 */
export function groupCandidates(state: GroupingState, candidates: readonly RuleCandidate[], windowMs: number): { state: GroupingState; actions: GroupAction[] } {
  const open = new Map(state.open);
  let nextId = state.nextId;
  const actions: GroupAction[] = [];
  for (const c of candidates) {
    const key = groupKey(c);
    let g = open.get(key);
    // A tracked object still in view keeps its incident; an event (no object) only within the window.
    const sameObject = g !== undefined && c.object !== undefined && g.tracks.has(c.trackId);
    if (g && !sameObject && c.at - g.lastSeenAt > windowMs) {
      actions.push({ kind: "close", group: g });
      open.delete(key);
      g = undefined;
    }
    if (!g) {
      const opened: IncidentGroup = { id: nextId++, key, first: c, tracks: new Set([c.trackId]), objects: withObject(new Map(), c), startedAt: c.at, lastSeenAt: c.at, confidence: c.confidence };
      open.set(key, opened);
      actions.push({ kind: "open", group: opened });
      continue;
    }
    const joined = !g.tracks.has(c.trackId);
    const next: IncidentGroup = { ...g, tracks: joined ? new Set([...g.tracks, c.trackId]) : g.tracks, objects: withObject(g.objects, c), lastSeenAt: Math.max(g.lastSeenAt, c.at), confidence: Math.max(g.confidence, c.confidence) };
    open.set(key, next);
    if (joined) actions.push({ kind: "join", group: next, trackId: c.trackId });
  }
  return { state: { nextId, open }, actions };
}
