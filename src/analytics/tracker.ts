import type { Detection, NormalizedBox } from "../contract/detection.js";
import { centre, distance, iou, shift, size } from "./box-geometry.js";

export interface TrackerOptions {
  /** Least IoU between a track's predicted box and a detection for them to be the same object. */
  readonly iouThreshold: number;
  /** Consecutive frames a new object must be seen before it counts: shorter flickers are noise. */
  readonly minFrames: number;
  /** A confirmed track ends after more missed frames than this in a row... */
  readonly maxMissedFrames: number;
  /** ...or after this long unseen, whichever comes first (cameras drop frames; time still passes). */
  readonly maxMissedMs: number;
  /** A track is stationary when it has existed this long and its centre stayed within... */
  readonly stationaryWindowMs: number;
  /** ...this fraction of its box size over that window (a parked car, not a slow walker). */
  readonly stationaryRatio: number;
  /**
   * A stationary track survives this long unseen, whatever the frame count: a parked car hidden
   * by a passing van is still there when the van has gone, and must not come back as a new
   * object (and a new alert).
   */
  readonly stationaryMaxMissedMs: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  iouThreshold: 0.2,
  minFrames: 3,
  maxMissedFrames: 5,
  maxMissedMs: 3000,
  stationaryWindowMs: 10_000,
  stationaryRatio: 0.25,
  stationaryMaxMissedMs: 30_000,
};

export interface TrackPoint {
  readonly at: number;
  readonly x: number;
  readonly y: number;
}

export interface Track {
  /** Unique per tracker (per camera), never reused. */
  readonly id: number;
  readonly label: string;
  /** The last detection's box. */
  readonly box: NormalizedBox;
  readonly score: number;
  readonly bestScore: number;
  /** Centre velocity in box units per ms, smoothed. */
  readonly vx: number;
  readonly vy: number;
  readonly hits: number;
  readonly misses: number;
  readonly confirmed: boolean;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly stationary: boolean;
  /** Centres within the stationary window, oldest first. */
  readonly path: readonly TrackPoint[];
}

export interface TrackerState {
  readonly nextId: number;
  readonly tracks: readonly Track[];
}

export interface TrackerStep {
  readonly state: TrackerState;
  /** The track id each detection was given (same order as the input). */
  readonly assignments: readonly number[];
  /** Tracks confirmed by this frame. */
  readonly confirmed: readonly Track[];
  /** Confirmed tracks that ended at this frame (missing too long). */
  readonly ended: readonly Track[];
}

export const INITIAL_TRACKER: TrackerState = { nextId: 1, tracks: [] };

/** Weight of the newest displacement in the velocity estimate. */
const VELOCITY_SMOOTHING = 0.5;

/** Where a track's box should be at `at`, moving on at its velocity (constant-velocity model). */
export function predictBox(t: Track, at: number): NormalizedBox {
  const dt = Math.max(0, at - t.lastSeenAt);
  return shift(t.box, t.vx * dt, t.vy * dt);
}

/**
 * Greedy IoU association per label: pairs above the threshold, best first, each track and each
 * detection used at most once. Returns detection index -> track index.
 */
export function associate(
  tracks: readonly Track[],
  detections: readonly Detection[],
  at: number,
  iouThreshold: number,
): Map<number, number> {
  const pairs: Array<{ t: number; d: number; iou: number }> = [];
  tracks.forEach((track, t) => {
    const predicted = predictBox(track, at);
    detections.forEach((det, d) => {
      if (det.label !== track.label) return;
      const overlap = iou(predicted, det.box);
      if (overlap >= iouThreshold) pairs.push({ t, d, iou: overlap });
    });
  });
  pairs.sort((a, b) => b.iou - a.iou || a.t - b.t || a.d - b.d);
  const byDetection = new Map<number, number>();
  const usedTracks = new Set<number>();
  for (const p of pairs) {
    if (byDetection.has(p.d) || usedTracks.has(p.t)) continue;
    byDetection.set(p.d, p.t);
    usedTracks.add(p.t);
  }
  return byDetection;
}

function isStationary(
  path: readonly TrackPoint[],
  firstSeenAt: number,
  at: number,
  box: NormalizedBox,
  o: TrackerOptions,
): boolean {
  if (at - firstSeenAt < o.stationaryWindowMs) return false;
  const now = centre(box);
  const limit = o.stationaryRatio * size(box);
  return path.every((p) => distance(p, now) <= limit);
}

function seen(t: Track, det: Detection, at: number, o: TrackerOptions): Track {
  const before = centre(t.box);
  const after = centre(det.box);
  const dt = at - t.lastSeenAt;
  const first = t.hits === 1;
  const vx =
    dt > 0
      ? (first ? 1 : VELOCITY_SMOOTHING) * ((after.x - before.x) / dt) + (first ? 0 : 1 - VELOCITY_SMOOTHING) * t.vx
      : t.vx;
  const vy =
    dt > 0
      ? (first ? 1 : VELOCITY_SMOOTHING) * ((after.y - before.y) / dt) + (first ? 0 : 1 - VELOCITY_SMOOTHING) * t.vy
      : t.vy;
  const path = [...t.path.filter((p) => p.at >= at - o.stationaryWindowMs), { at, ...after }];
  const hits = t.hits + 1;
  return {
    ...t,
    box: det.box,
    score: det.score,
    bestScore: Math.max(t.bestScore, det.score),
    vx,
    vy,
    hits,
    misses: 0,
    confirmed: t.confirmed || hits >= o.minFrames,
    lastSeenAt: at,
    path,
    stationary: isStationary(path, t.firstSeenAt, at, det.box, o),
  };
}

function born(id: number, det: Detection, at: number, o: TrackerOptions): Track {
  const c = centre(det.box);
  return {
    id,
    label: det.label,
    box: det.box,
    score: det.score,
    bestScore: det.score,
    vx: 0,
    vy: 0,
    hits: 1,
    misses: 0,
    confirmed: o.minFrames <= 1,
    firstSeenAt: at,
    lastSeenAt: at,
    stationary: false,
    path: [{ at, ...c }],
  };
}

/**
 * One frame of tracking. A new object is tentative until seen `minFrames` frames in a row (a
 * tentative track missing once is forgotten); a confirmed one survives `maxMissedFrames` missed
 * frames or `maxMissedMs`, whichever ends it first, and a stationary one `stationaryMaxMissedMs`. Pure.
 */
export function stepTracker(
  state: TrackerState,
  detections: readonly Detection[],
  at: number,
  o: TrackerOptions,
): TrackerStep {
  const matches = associate(state.tracks, detections, at, o.iouThreshold);
  const matchedTracks = new Map<number, number>([...matches].map(([d, t]) => [t, d]));
  const tracks: Track[] = [];
  const confirmed: Track[] = [];
  const ended: Track[] = [];
  const assignments: number[] = [];
  const updated = new Map<number, Track>();
  state.tracks.forEach((t, ti) => {
    const d = matchedTracks.get(ti);
    const det = d === undefined ? undefined : detections[d];
    if (det) {
      const next = seen(t, det, at, o);
      if (next.confirmed && !t.confirmed) confirmed.push(next);
      updated.set(ti, next);
      tracks.push(next);
      return;
    }
    if (!t.confirmed) return;
    const misses = t.misses + 1;
    const gone = t.stationary
      ? at - t.lastSeenAt > o.stationaryMaxMissedMs
      : misses > o.maxMissedFrames || at - t.lastSeenAt > o.maxMissedMs;
    if (gone) ended.push(t);
    else tracks.push({ ...t, misses });
  });
  let nextId = state.nextId;
  detections.forEach((det, d) => {
    const ti = matches.get(d);
    if (ti !== undefined) {
      assignments.push(updated.get(ti)?.id ?? 0);
      return;
    }
    const t = born(nextId++, det, at, o);
    if (t.confirmed) confirmed.push(t);
    tracks.push(t);
    assignments.push(t.id);
  });
  return { state: { nextId, tracks }, assignments, confirmed, ended };
}
