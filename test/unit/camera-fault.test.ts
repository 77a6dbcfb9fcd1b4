import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CAMERA_UP,
  type CameraFaultEvent,
  type CameraFaultState,
  onCameraState,
  onTick,
} from "../../src/analytics/camera-fault.js";
import type { CameraStateName } from "../../src/contract/events.js";

const STATES: CameraStateName[] = ["starting", "online", "stalled", "backoff", "offline", "disabled"];

void describe("camera fault rule", () => {
  void it("alerts once per outage longer than the threshold, and reports the return only after an alert", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(
          fc.oneof(
            fc.record({ state: fc.constantFrom(...STATES), dt: fc.integer({ min: 0, max: 50 }) }),
            fc.record({ tick: fc.constant(true), dt: fc.integer({ min: 0, max: 50 }) }),
          ),
          { maxLength: 60 },
        ),
        (threshold, steps) => {
          let s: CameraFaultState = CAMERA_UP;
          let now = 0;
          let down: number | undefined;
          const events: CameraFaultEvent[] = [];
          for (const step of steps) {
            now += step.dt;
            const r = "state" in step ? onCameraState(s, step.state, now) : onTick(s, now, threshold);
            if ("state" in step) {
              const isDown = step.state !== "online" && step.state !== "disabled";
              if (isDown && down === undefined) down = now;
              if (!isDown) down = undefined;
            }
            if (r.event?.kind === "offline") {
              assert.ok(down !== undefined && now - down >= threshold, "offline only after the threshold");
              assert.equal(r.event.since, down);
            }
            if (r.event) events.push(r.event);
            s = r.state;
          }
          // Alternating: offline, online, offline, ... never two of a kind in a row.
          events.forEach((e, i) => assert.equal(e.kind, i % 2 === 0 ? "offline" : "online"));
        },
      ),
    );
  });

  void it("a short reconnect raises nothing; a long one raises offline then online with its duration", () => {
    let s = onCameraState(CAMERA_UP, "backoff", 0).state;
    assert.equal(onTick(s, 5_000, 60_000).event, undefined);
    assert.equal(onCameraState(s, "online", 6_000).event, undefined);
    s = onCameraState(CAMERA_UP, "offline", 10_000).state;
    const off = onTick(s, 70_000, 60_000);
    assert.deepEqual(off.event, { kind: "offline", since: 10_000 });
    assert.equal(onTick(off.state, 80_000, 60_000).event, undefined, "once per outage");
    assert.deepEqual(onCameraState(off.state, "online", 100_000).event, { kind: "online", downForMs: 90_000 });
  });
});
