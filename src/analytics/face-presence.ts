import type { Detection } from "../contract/detection.js";

export interface FacePresenceOptions {
  /** Consecutive analysed frames with a face before it counts: one-frame blips are noise. */
  readonly minFrames: number;
  /** Consecutive frames without a face that end the episode, so a person who stays is one incident. */
  readonly clearFrames: number;
}

export interface FacePresenceState {
  readonly streak: number;
  readonly misses: number;
  readonly active: boolean;
  readonly best: Detection | undefined;
  readonly firstSeenAt: number | undefined;
}

export interface FacePresenceEvent {
  readonly kind: "started" | "ended";
  readonly frames: number;
  readonly best: Detection | undefined;
  readonly firstSeenAt: number;
}

export const INITIAL_FACE_PRESENCE: FacePresenceState = {
  streak: 0,
  misses: 0,
  active: false,
  best: undefined,
  firstSeenAt: undefined,
};

/**
 * One step of the "face seen for N consecutive frames" rule; pure, so the state machine is
 * property-tested. An episode starts once per presence and ends after `clearFrames` misses.
 */
export function stepFacePresence(
  state: FacePresenceState,
  faces: readonly Detection[],
  at: number,
  options: FacePresenceOptions,
): { state: FacePresenceState; event: FacePresenceEvent | undefined } {
  const top = faces.reduce<Detection | undefined>(
    (best, d) => (best === undefined || d.score > best.score ? d : best),
    undefined,
  );
  if (top) {
    const streak = state.streak + 1;
    const best = state.best === undefined || top.score > state.best.score ? top : state.best;
    const firstSeenAt = state.firstSeenAt ?? at;
    const next: FacePresenceState = {
      streak,
      misses: 0,
      active: state.active || streak >= options.minFrames,
      best,
      firstSeenAt,
    };
    const event =
      !state.active && next.active ? ({ kind: "started", frames: streak, best, firstSeenAt } as const) : undefined;
    return { state: next, event };
  }
  if (!state.active) return { state: INITIAL_FACE_PRESENCE, event: undefined };
  const misses = state.misses + 1;
  if (misses >= options.clearFrames) {
    return {
      state: INITIAL_FACE_PRESENCE,
      event: { kind: "ended", frames: state.streak, best: state.best, firstSeenAt: state.firstSeenAt ?? at },
    };
  }
  return { state: { ...state, misses }, event: undefined };
}
