import type { RecognisedFace } from "../contract/faces.js";
import type { RuleCandidate, SeenFace } from "./rules/candidate.js";
import { unknownFaceRule, type UnknownFaceOptions } from "./rules/unknown-face.js";
import { watchlistFaceRule, type WatchlistFaceOptions } from "./rules/watchlist-face.js";
import { INITIAL_TRACKER, stepTracker, type TrackerOptions, type TrackerState } from "./tracker.js";

type Identity = NonNullable<SeenFace["identity"]>;

/** The recogniser's `faces` fact in the rules' terms. */
export function seenFaces(faces: readonly RecognisedFace[]): SeenFace[] {
  return faces.map((f) => ({
    box: f.box,
    score: f.score,
    identity: f.identity ? { personId: f.identity.person_id, name: f.identity.name, similarity: f.similarity } : null,
  }));
}

/** One camera's face tracks and the best watchlist match each has had. */
export interface FaceAnalysisState {
  readonly tracker: TrackerState;
  readonly best: ReadonlyMap<number, Identity>;
}

export const NEW_FACE_ANALYSIS: FaceAnalysisState = { tracker: INITIAL_TRACKER, best: new Map() };

/** A person deleted from the watchlist: no track may go on naming them (GDPR erasure). Pure. */
export function forgetPerson(state: FaceAnalysisState, personId: string): FaceAnalysisState {
  return { ...state, best: new Map([...state.best].filter(([, identity]) => identity.personId !== personId)) };
}

export interface FaceRulesSetup {
  readonly tracker: TrackerOptions;
  readonly watchlist: WatchlistFaceOptions | undefined;
  readonly unknown: UnknownFaceOptions | undefined;
}

/**
 * One frame of recognised faces: faces are tracked like any object (so a one-frame false match
 * never counts), each track keeps its best match, and the face rules run on confirmed tracks
 * seen in this frame. Pure.
 */
export function analyseFaces(
  state: FaceAnalysisState,
  faces: readonly SeenFace[],
  cameraId: string,
  at: number,
  setup: FaceRulesSetup,
): { state: FaceAnalysisState; candidates: RuleCandidate[] } {
  const tracked = stepTracker(
    state.tracker,
    faces.map((f) => ({ label: "face", score: f.score, box: f.box })),
    at,
    setup.tracker,
  );
  const live = new Set(tracked.state.tracks.map((t) => t.id));
  const best = new Map([...state.best].filter(([id]) => live.has(id)));
  faces.forEach((f, i) => {
    const id = tracked.assignments[i];
    const before = id === undefined ? undefined : best.get(id);
    if (id !== undefined && f.identity && (!before || f.identity.similarity > before.similarity))
      best.set(id, f.identity);
  });
  const seen = new Set(tracked.assignments);
  const candidates: RuleCandidate[] = [];
  for (const track of tracked.state.tracks) {
    if (!seen.has(track.id)) continue;
    const identity = best.get(track.id);
    const match =
      setup.watchlist && identity ? watchlistFaceRule(cameraId, track, identity, at, setup.watchlist) : undefined;
    if (match) candidates.push(match);
    else if (setup.unknown) {
      const unknown = unknownFaceRule(
        cameraId,
        track,
        identity !== undefined && setup.watchlist !== undefined && identity.similarity >= setup.watchlist.minSimilarity,
        at,
        setup.unknown,
      );
      if (unknown) candidates.push(unknown);
    }
  }
  return { state: { tracker: tracked.state, best }, candidates };
}
