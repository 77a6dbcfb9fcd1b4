// The "face seen for N consecutive frames" rule: one incident per presence, no incidents for blips,
// and an episode ends only after a run of frames without a face.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Detection } from "../../src/contract/detection.js";
import {
  INITIAL_FACE_PRESENCE,
  stepFacePresence,
  type FacePresenceEvent,
  type FacePresenceOptions,
} from "../../src/analytics/face-presence.js";

interface Frame {
  faces: Detection[];
  at: number;
}

const face = (score: number): Detection => ({ label: "face", score, box: { x1: 0.1, y1: 0.1, x2: 0.3, y2: 0.3 } });

const optionsArb: fc.Arbitrary<FacePresenceOptions> = fc.record({
  minFrames: fc.integer({ min: 1, max: 6 }),
  clearFrames: fc.integer({ min: 1, max: 6 }),
});

/** Runs of face / no-face frames, so long presences and blips both occur often. */
const framesArb: fc.Arbitrary<Frame[]> = fc
  .array(
    fc.record({
      face: fc.boolean(),
      len: fc.integer({ min: 1, max: 9 }),
      scores: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
    }),
    { maxLength: 25 },
  )
  .map((runs) => {
    const frames: Frame[] = [];
    for (const run of runs) {
      for (let i = 0; i < run.len; i++) {
        const score = run.scores[i % run.scores.length]!;
        frames.push({ faces: run.face ? [face(score), face(score / 2)] : [], at: 1000 + frames.length * 200 });
      }
    }
    return frames;
  });

function runRule(
  frames: readonly Frame[],
  options: FacePresenceOptions,
): { index: number; event: FacePresenceEvent }[] {
  let state = INITIAL_FACE_PRESENCE;
  const events: { index: number; event: FacePresenceEvent }[] = [];
  frames.forEach((frame, index) => {
    const out = stepFacePresence(state, frame.faces, frame.at, options);
    state = out.state;
    if (out.event) events.push({ index, event: out.event });
  });
  return events;
}

const hasFace = (frames: readonly Frame[], i: number): boolean => (frames[i]?.faces.length ?? 0) > 0;
const allFaces = (frames: readonly Frame[], from: number, to: number): boolean => {
  for (let i = from; i <= to; i++) if (!hasFace(frames, i)) return false;
  return from >= 0;
};
const allMisses = (frames: readonly Frame[], from: number, to: number): boolean => {
  for (let i = from; i <= to; i++) if (hasFace(frames, i)) return false;
  return from >= 0;
};

void describe("stepFacePresence", () => {
  void it("events alternate started / ended, beginning with started", () => {
    fc.assert(
      fc.property(framesArb, optionsArb, (frames, options) => {
        runRule(frames, options).forEach(({ event }, i) => assert.equal(event.kind, i % 2 === 0 ? "started" : "ended"));
      }),
    );
  });

  void it("started fires on the minFrames-th frame of a face run, never earlier", () => {
    fc.assert(
      fc.property(framesArb, optionsArb, (frames, options) => {
        for (const { index, event } of runRule(frames, options)) {
          if (event.kind !== "started") continue;
          const runStart = index - options.minFrames + 1;
          assert.ok(allFaces(frames, runStart, index), `started at ${index} without ${options.minFrames} faces`);
          assert.ok(
            runStart === 0 || !hasFace(frames, runStart - 1),
            `started at ${index} is not the minFrames-th frame of its run`,
          );
          assert.equal(event.frames, options.minFrames);
          assert.equal(event.firstSeenAt, frames[runStart]!.at);
        }
      }),
    );
  });

  void it("every face run of >= minFrames outside an episode starts exactly one episode", () => {
    fc.assert(
      fc.property(framesArb, optionsArb, (frames, options) => {
        const events = runRule(frames, options);
        // Episode intervals [started, ended] from the events.
        const episodes: [number, number][] = [];
        for (let i = 0; i < events.length; i += 2)
          episodes.push([events[i]!.index, events[i + 1]?.index ?? Number.POSITIVE_INFINITY]);
        const inEpisode = (i: number): boolean => episodes.some(([s, e]) => i >= s && i <= e);
        for (let i = 0; i < frames.length; i++) {
          const runStart = i - options.minFrames + 1;
          const qualifies = allFaces(frames, runStart, i) && (runStart === 0 || !hasFace(frames, runStart - 1));
          // A run that starts while no episode is open (the frame before it was not inside one,
          // or closed it) must produce "started" at its minFrames-th frame.
          const openBefore = runStart > 0 && inEpisode(runStart - 1) && !episodes.some(([, e]) => e === runStart - 1);
          const startedHere = events.some(({ index, event }) => index === i && event.kind === "started");
          if (qualifies && !openBefore) assert.ok(startedHere, `run ending at ${i} did not start an episode`);
          if (startedHere) assert.ok(qualifies && !openBefore);
        }
      }),
    );
  });

  void it("ended fires after exactly clearFrames consecutive misses, at the first such point", () => {
    fc.assert(
      fc.property(framesArb, optionsArb, (frames, options) => {
        const events = runRule(frames, options);
        for (let i = 0; i < events.length; i += 2) {
          const started = events[i]!.index;
          const ended = events[i + 1];
          // The first frame after `started` that completes a window of clearFrames misses.
          let expected: number | undefined;
          for (let j = started + 1; j < frames.length && expected === undefined; j++) {
            if (j - options.clearFrames + 1 > started && allMisses(frames, j - options.clearFrames + 1, j))
              expected = j;
          }
          assert.equal(ended?.index, expected);
          if (ended) {
            assert.equal(ended.event.kind, "ended");
            const runStart = started - options.minFrames + 1;
            let faceFrames = 0;
            let bestScore = -1;
            for (let j = runStart; j <= ended.index; j++) {
              if (!hasFace(frames, j)) continue;
              faceFrames += 1;
              bestScore = Math.max(bestScore, frames[j]!.faces[0]!.score);
            }
            assert.equal(ended.event.frames, faceFrames);
            assert.equal(ended.event.firstSeenAt, frames[runStart]!.at);
            assert.equal(ended.event.best?.score, bestScore);
          }
        }
      }),
    );
  });

  void it("blips shorter than minFrames never start an episode", () => {
    const blipsArb = optionsArb.chain((options) =>
      fc.array(fc.integer({ min: 0, max: options.minFrames - 1 }), { maxLength: 30 }).map((lens) => {
        const frames: Frame[] = [];
        for (const len of lens) {
          for (let i = 0; i < len; i++) frames.push({ faces: [face(0.9)], at: frames.length });
          frames.push({ faces: [], at: frames.length });
        }
        return { options, frames };
      }),
    );
    fc.assert(
      fc.property(blipsArb, ({ options, frames }) => {
        assert.deepEqual(runRule(frames, options), []);
      }),
    );
  });

  void it("a person who stays, with short dropouts, is one episode", () => {
    const options = { minFrames: 3, clearFrames: 4 };
    const pattern = "FFF.FF..F...FFFFF....F";
    const frames = [...pattern].map((c, at) => ({ faces: c === "F" ? [face(0.8)] : [], at }));
    assert.deepEqual(
      runRule(frames, options).map(({ index, event }) => [event.kind, index]),
      [
        ["started", 2],
        ["ended", 20],
      ],
    );
  });
});
