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
  /**
   * The tracks of the incidents this one continues, by when each was last seen: still in view,
   * they keep it alive (refresh) without being listed again, so a crowded scene does not refill
   * the continuation at once. One unseen for the window is dropped: as many as are in view.
   */
  readonly carried: ReadonlyMap<number, number>;
  /** The local id of the group this one continues past its caps. */
  readonly continues?: number;
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
  /** `continued`: closed at a cap, and the next action opens its continuation. */
  | { readonly kind: "close"; readonly group: IncidentGroup; readonly continued?: "duration" | "objects" };

export const NO_GROUPS: GroupingState = { nextId: 1, open: new Map() };

/** How big one incident may grow before it ends and a continuation opens (`rules.incident_caps`). */
export interface IncidentCaps {
  /** From the incident's start; a candidate after this opens a continuation. */
  readonly maxDurationMs: number;
  /** Listed objects; a new track beyond this opens a continuation. */
  readonly maxObjects: number;
}

export const NO_CAPS: IncidentCaps = { maxDurationMs: Number.POSITIVE_INFINITY, maxObjects: Number.POSITIVE_INFINITY };

/** Why `g` cannot take `c`, if it cannot: too old, or full and `c` is a new track. Pure. */
export function capReached(g: IncidentGroup, c: RuleCandidate, caps: IncidentCaps): "duration" | "objects" | undefined {
  if (c.at - g.startedAt >= caps.maxDurationMs) return "duration";
  const known = g.tracks.has(c.trackId) || g.carried.has(c.trackId);
  if (!known && c.object !== undefined && g.objects.size >= caps.maxObjects) return "objects";
  return undefined;
}

/** One incident per (camera, rule, zone, subject) at a time. */
export function groupKey(c: RuleCandidate): string {
  return `${c.cameraId}|${c.rule}|${c.zone ?? ""}|${c.subject}`;
}

/** The carried tracks seen within the window of `at`, with `trackId` refreshed if carried. */
function carriedAt(
  carried: ReadonlyMap<number, number>,
  trackId: number,
  at: number,
  windowMs: number,
): ReadonlyMap<number, number> {
  const next = new Map<number, number>();
  for (const [t, seen] of carried) {
    const last = t === trackId ? Math.max(seen, at) : seen;
    if (at - last <= windowMs) next.set(t, last);
  }
  return next;
}

function withObject(
  objects: ReadonlyMap<number, IncidentObject>,
  c: RuleCandidate,
): ReadonlyMap<number, IncidentObject> {
  if (!c.object) return objects;
  const before = objects.get(c.trackId);
  const object = before && before.score > c.object.score ? { ...c.object, score: before.score } : c.object;
  return new Map([...objects, [c.trackId, object]]);
}

/** Closes the groups (of one camera, or all) that nothing joined for longer than the window. Pure. */
export function closeExpired(
  state: GroupingState,
  at: number,
  windowMs: number,
  cameraId?: string,
): { state: GroupingState; actions: GroupAction[] } {
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
 * it; anything else opens a group (closing the stale one first). A group past a cap (`caps`:
 * its duration, or its object count when a new track comes) closes, and a continuation opens
 * with the candidate, linked to it and carrying its tracks.
 * So a person walking through a zone is one incident, and so are two people following each
 * other in; a scene that never empties is a chain of bounded incidents. Pure.
 */
export function groupCandidates(
  state: GroupingState,
  candidates: readonly RuleCandidate[],
  windowMs: number,
  caps: IncidentCaps = NO_CAPS,
): { state: GroupingState; actions: GroupAction[] } {
  const open = new Map(state.open);
  let nextId = state.nextId;
  const actions: GroupAction[] = [];
  for (const c of candidates) {
    const key = groupKey(c);
    let g = open.get(key);
    let continues: IncidentGroup | undefined;
    // A tracked object still in view keeps its incident; an event (no object) only within the window.
    const sameObject = g !== undefined && c.object !== undefined && g.tracks.has(c.trackId);
    if (g && !sameObject && c.at - g.lastSeenAt > windowMs) {
      actions.push({ kind: "close", group: g });
      open.delete(key);
      g = undefined;
    }
    const cap = g ? capReached(g, c, caps) : undefined;
    if (g && cap) {
      actions.push({ kind: "close", group: g, continued: cap });
      open.delete(key);
      continues = g;
      g = undefined;
    }
    if (!g) {
      const before = continues
        ? new Map([
            ...continues.carried,
            ...[...continues.tracks].map((t): [number, number] => [t, continues.lastSeenAt]),
          ])
        : new Map<number, number>();
      before.delete(c.trackId);
      const carried = carriedAt(before, c.trackId, c.at, windowMs);
      const opened: IncidentGroup = {
        id: nextId++,
        key,
        first: c,
        tracks: new Set([c.trackId]),
        carried,
        ...(continues ? { continues: continues.id } : {}),
        objects: withObject(new Map(), c),
        startedAt: c.at,
        lastSeenAt: c.at,
        confidence: c.confidence,
      };
      open.set(key, opened);
      actions.push({ kind: "open", group: opened });
      continue;
    }
    const joined = !g.tracks.has(c.trackId) && !g.carried.has(c.trackId);
    const listed = g.tracks.has(c.trackId) || joined;
    const next: IncidentGroup = {
      ...g,
      tracks: joined ? new Set([...g.tracks, c.trackId]) : g.tracks,
      carried: g.carried.size > 0 ? carriedAt(g.carried, c.trackId, c.at, windowMs) : g.carried,
      objects: listed ? withObject(g.objects, c) : g.objects,
      lastSeenAt: Math.max(g.lastSeenAt, c.at),
      confidence: listed ? Math.max(g.confidence, c.confidence) : g.confidence,
    };
    open.set(key, next);
    if (joined) actions.push({ kind: "join", group: next, trackId: c.trackId });
  }
  return { state: { nextId, open }, actions };
}
