// Which frames reach the detector: motion first, then the shedding cap; an idle heartbeat.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { gateDecision, type GateInput } from "../../src/ingest/gate-decision.js";

/** Replays frames at `fps` for `seconds`, returning how many passed. */
function replay(
  fps: number,
  seconds: number,
  base: Omit<GateInput, "now" | "lastPassedAt">,
  moving: (k: number) => boolean = () => base.moving,
): number {
  let last: number | undefined;
  let passed = 0;
  for (let k = 0; k < fps * seconds; k++) {
    const now = 1000 + (k * 1000) / fps;
    const out = gateDecision({ ...base, moving: moving(k), now, lastPassedAt: last });
    if (out.startsWith("pass")) {
      passed++;
      last = now;
    }
  }
  return passed;
}

void describe("gateDecision", () => {
  const off = { motionEnabled: false, moving: false, idleFps: 0, limitFps: undefined };

  void it("without gating or a cap every frame passes", () => {
    assert.equal(replay(5, 10, off), 50);
  });

  void it("a still scene passes at the idle rate, plus the first frame", () => {
    fc.assert(
      fc.property(fc.constantFrom(0.1, 0.2, 0.5, 1), fc.integer({ min: 5, max: 60 }), (idle, seconds) => {
        const passed = replay(5, seconds, { motionEnabled: true, moving: false, idleFps: idle, limitFps: undefined });
        // A frame up to 10% early takes its slot (the gate's jitter tolerance).
        assert.ok(
          passed <= Math.ceil((seconds * idle) / 0.9) + 1 && passed >= Math.floor(seconds * idle),
          `${passed} in ${seconds}s at ${idle}`,
        );
      }),
    );
    assert.equal(replay(5, 30, { motionEnabled: true, moving: false, idleFps: 0, limitFps: undefined }), 0);
  });

  void it("motion passes every frame up to the shedding cap, never more", () => {
    fc.assert(
      fc.property(fc.constantFrom(5, 10, 25), fc.double({ min: 0.2, max: 30, noNaN: true }), (fps, cap) => {
        const passed = replay(fps, 20, { motionEnabled: true, moving: true, idleFps: 0.2, limitFps: cap });
        const expected = Math.min(fps, cap) * 20;
        assert.ok(passed <= expected / 0.9 + 1, `${passed} > cap ${cap} over 20 s`);
        assert.ok(passed >= Math.min(fps * 20, expected * 0.5), `${passed} far below ${expected}`);
      }),
    );
  });

  void it("a cap of exactly half the frame rate lets every other frame through despite jitter", () => {
    assert.equal(replay(5, 10, { ...off, limitFps: 2.5 }), 25);
  });

  void it("names why a frame was held back", () => {
    assert.equal(
      gateDecision({
        now: 1000,
        lastPassedAt: 900,
        motionEnabled: true,
        moving: false,
        idleFps: 1,
        limitFps: undefined,
      }),
      "skip_no_motion",
    );
    assert.equal(
      gateDecision({ now: 1000, lastPassedAt: 900, motionEnabled: true, moving: true, idleFps: 1, limitFps: 1 }),
      "skip_shed",
    );
    assert.equal(
      gateDecision({
        now: 1000,
        lastPassedAt: 900,
        motionEnabled: true,
        moving: true,
        idleFps: 1,
        limitFps: undefined,
      }),
      "pass_motion",
    );
    assert.equal(
      gateDecision({
        now: 3000,
        lastPassedAt: 900,
        motionEnabled: true,
        moving: false,
        idleFps: 1,
        limitFps: undefined,
      }),
      "pass_idle",
    );
  });
});
