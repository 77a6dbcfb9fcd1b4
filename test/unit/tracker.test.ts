import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Detection } from "../../src/contract/detection.js";
import {
  DEFAULT_TRACKER_OPTIONS,
  INITIAL_TRACKER,
  stepTracker,
  type TrackerOptions,
  type TrackerState,
} from "../../src/analytics/tracker.js";

const O: TrackerOptions = DEFAULT_TRACKER_OPTIONS;
const FRAME_MS = 200;
const det = (x: number, y: number, w: number, h: number, label = "person", score = 0.8): Detection => ({
  label,
  score,
  box: { x1: x, y1: y, x2: x + w, y2: y + h },
});

const arbBox = fc.record({
  x: fc.double({ min: 0, max: 0.9, noNaN: true }),
  y: fc.double({ min: 0, max: 0.9, noNaN: true }),
  w: fc.double({ min: 0.02, max: 0.3, noNaN: true }),
  h: fc.double({ min: 0.02, max: 0.3, noNaN: true }),
});
const arbFrame = fc
  .array(fc.tuple(arbBox, fc.constantFrom("person", "car")), { maxLength: 6 })
  .map((boxes) => boxes.map(([b, label]) => det(b.x, b.y, b.w, b.h, label)));

void describe("tracker", () => {
  void it("never gives one track to two detections, and ids stay unique and are never reused", () => {
    fc.assert(
      fc.property(fc.array(arbFrame, { maxLength: 25 }), (frames) => {
        let state: TrackerState = INITIAL_TRACKER;
        const everSeen = new Set<number>();
        let lastTracks = new Set<number>();
        frames.forEach((dets, i) => {
          const step = stepTracker(state, dets, i * FRAME_MS, O);
          assert.equal(new Set(step.assignments).size, step.assignments.length, "a track matched to two detections");
          const ids = step.state.tracks.map((t) => t.id);
          assert.equal(new Set(ids).size, ids.length, "duplicate live ids");
          for (const id of step.assignments) if (!lastTracks.has(id)) assert.ok(!everSeen.has(id), `id ${id} reused`);
          ids.forEach((id) => everSeen.add(id));
          lastTracks = new Set(ids);
          state = step.state;
        });
      }),
    );
  });

  // IoU association needs the object to overlap itself between the first frames, before its
  // velocity is known: up to 0.4 of its size per frame on each axis here; prediction carries it after that.
  void it("keeps one id for a single box moving steadily, with frames dropped now and then", () => {
    const pace = fc.double({ min: -0.4, max: 0.4, noNaN: true });
    fc.assert(
      fc.property(arbBox, pace, pace, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (b, fx, fy, drops) => {
        const [vx, vy] = [fx * b.w, fy * b.h];
        let state: TrackerState = INITIAL_TRACKER;
        const ids = new Set<number>();
        let confirmedAt: number | undefined;
        for (let i = 0; i < 30; i++) {
          // Never two drops in a row in the first frames: a tentative track would be forgotten.
          const dropped = i >= O.minFrames && drops[i] === true && drops[i - 1] !== true;
          const step = stepTracker(state, dropped ? [] : [det(b.x + vx * i, b.y + vy * i, b.w, b.h)], i * FRAME_MS, O);
          step.assignments.forEach((id) => ids.add(id));
          if (step.confirmed.length > 0) confirmedAt ??= i;
          assert.equal(step.ended.length, 0);
          state = step.state;
        }
        assert.equal(ids.size, 1);
        assert.equal(confirmedAt, O.minFrames - 1);
      }),
    );
  });

  void it("never confirms a flicker shorter than min_frames", () => {
    fc.assert(
      fc.property(
        arbBox,
        fc.integer({ min: 1, max: O.minFrames - 1 }),
        fc.integer({ min: 1, max: 5 }),
        (b, on, repeats) => {
          let state: TrackerState = INITIAL_TRACKER;
          let t = 0;
          for (let r = 0; r < repeats; r++) {
            for (let i = 0; i < on; i++) {
              const step = stepTracker(state, [det(b.x, b.y, b.w, b.h)], (t += FRAME_MS), O);
              assert.equal(step.confirmed.length, 0);
              state = step.state;
            }
            state = stepTracker(state, [], (t += FRAME_MS), O).state;
          }
          assert.equal(state.tracks.length, 0);
        },
      ),
    );
  });

  void it("ends a confirmed track after max_missed_frames missing frames, once", () => {
    let state: TrackerState = INITIAL_TRACKER;
    for (let i = 0; i < 4; i++)
      state = stepTracker(state, [det(0.4, 0.4, 0.1, 0.2)], i * 100, { ...O, maxMissedMs: 60_000 }).state;
    const ended: number[] = [];
    for (let i = 4; i < 4 + O.maxMissedFrames + 3; i++) {
      const step = stepTracker(state, [], i * 100, { ...O, maxMissedMs: 60_000 });
      ended.push(...step.ended.map((t) => t.id));
      if (i < 4 + O.maxMissedFrames) assert.equal(step.ended.length, 0, `ended early at ${i}`);
      state = step.state;
    }
    assert.deepEqual(ended, [1]);
  });

  void it("calls a jittering parked box stationary after the window, and a walker never", () => {
    let parked: TrackerState = INITIAL_TRACKER;
    let walker: TrackerState = INITIAL_TRACKER;
    const frames = Math.ceil(O.stationaryWindowMs / FRAME_MS) + 5;
    for (let i = 0; i < frames; i++) {
      const jitter = (i % 3) * 0.003;
      parked = stepTracker(parked, [det(0.5 + jitter, 0.6 - jitter, 0.2, 0.12, "car")], i * FRAME_MS, O).state;
      walker = stepTracker(walker, [det(0.1 + i * 0.004, 0.5, 0.05, 0.15)], i * FRAME_MS, O).state;
    }
    assert.equal(parked.tracks[0]?.stationary, true);
    assert.equal(walker.tracks[0]?.stationary, false);
  });

  void it("does not swap two people crossing, thanks to motion prediction", () => {
    let state: TrackerState = INITIAL_TRACKER;
    const seen = new Map<string, Set<number>>();
    for (let i = 0; i < 20; i++) {
      const a = det(0.1 + i * 0.03, 0.4, 0.08, 0.2);
      const b = det(0.7 - i * 0.03, 0.42, 0.08, 0.2);
      const step = stepTracker(state, [a, b], i * FRAME_MS, O);
      (seen.get("a") ?? seen.set("a", new Set()).get("a"))?.add(step.assignments[0] ?? 0);
      (seen.get("b") ?? seen.set("b", new Set()).get("b"))?.add(step.assignments[1] ?? 0);
      state = step.state;
    }
    assert.deepEqual([...(seen.get("a") ?? [])], [1]);
    assert.deepEqual([...(seen.get("b") ?? [])], [2]);
  });

  void it("keeps a stationary track through an occlusion longer than max_missed, and a moving one not", () => {
    const run = (moving: boolean) => {
      let state: TrackerState = INITIAL_TRACKER;
      const ids = new Set<number>();
      const frames = Math.ceil(O.stationaryWindowMs / FRAME_MS) + 5;
      // Seen, then hidden for 5 s (25 frames: well past max_missed), then seen again.
      for (let i = 0; i < frames + 25 + 5; i++) {
        const hidden = i >= frames && i < frames + 25;
        const x = moving ? 0.1 + i * 0.002 : 0.5;
        const step = stepTracker(state, hidden ? [] : [det(x, 0.6, 0.2, 0.12, "car")], i * FRAME_MS, O);
        step.assignments.forEach((id) => ids.add(id));
        state = step.state;
      }
      return ids.size;
    };
    assert.equal(run(false), 1, "the parked car is the same object after the van passed");
    assert.equal(run(true), 2);
  });
});
