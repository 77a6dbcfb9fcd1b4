import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  alertTypeFor,
  DEFAULT_PROVIDER_POLICY as P,
  failuresInWindow,
  INITIAL_PROVIDER_HEALTH,
  isEligible,
  type ProviderHealth,
  type ProviderState,
  recordFailure,
  recordSuccess,
  recordUnavailable,
} from "../../src/inference/providers/provider-health.js";

type Outcome = "ok" | "fail";

/** Applies outcomes one second apart; returns the final health and every state change seen. */
function play(
  outcomes: readonly Outcome[],
  start: ProviderHealth = INITIAL_PROVIDER_HEALTH,
  t0 = 0,
): { h: ProviderHealth; changes: Array<[ProviderState, ProviderState]> } {
  let h = start;
  const changes: Array<[ProviderState, ProviderState]> = [];
  outcomes.forEach((o, i) => {
    const s = o === "ok" ? recordSuccess(h, P, t0 + i * 1000, 10) : recordFailure(h, P, t0 + i * 1000, "boom");
    if (s.change) changes.push([s.change.from, s.change.to]);
    h = s.health;
  });
  return { h, changes };
}

const repeat = (o: Outcome, n: number): Outcome[] => Array.from({ length: n }, () => o);

void describe("provider health", () => {
  void it("3 consecutive failures degrade, 5 make it unhealthy and out for the cool-down", () => {
    const { h, changes } = play(repeat("fail", 5));
    assert.deepEqual(changes, [
      ["healthy", "degraded"],
      ["degraded", "unhealthy"],
    ]);
    assert.equal(h.downUntil, 4000 + P.coolDownMs);
    assert.equal(isEligible(h, 4000 + P.coolDownMs - 1), false);
    assert.equal(isEligible(h, 4000 + P.coolDownMs), true);
    assert.equal(h.lastError, "boom");
  });

  void it("a success resets the failure run: failures must be consecutive", () => {
    const { h, changes } = play(["fail", "fail", "ok", "fail", "fail", "ok"]);
    assert.deepEqual(changes, []);
    assert.equal(h.state, "healthy");
    assert.equal(h.failures, 4);
  });

  void it("after the cool-down a failed probe starts a new cool-down; 3 successes recover it", () => {
    const down = play(repeat("fail", 5)).h;
    const probeAt = down.downUntil;
    const failedProbe = recordFailure(down, P, probeAt, "still broken");
    assert.equal(failedProbe.change, undefined);
    assert.equal(failedProbe.health.downUntil, probeAt + P.coolDownMs);
    const { h, changes } = play(repeat("ok", 3), failedProbe.health, probeAt + P.coolDownMs);
    assert.deepEqual(changes, [["unhealthy", "healthy"]]);
    assert.equal(h.consecutiveFailures, 0);
  });

  void it("a provider that cannot load is unhealthy at once", () => {
    const s = recordUnavailable(INITIAL_PROVIDER_HEALTH, P, 50, "Failed to load shared library");
    assert.deepEqual(s.change, { from: "healthy", to: "unhealthy" });
    assert.equal(s.health.downUntil, 50 + P.coolDownMs);
    assert.equal(s.health.lastError, "Failed to load shared library");
  });

  void it("counts failures within the window and averages response times", () => {
    let h = recordFailure(INITIAL_PROVIDER_HEALTH, P, 0, "a").health;
    h = recordFailure(h, P, P.windowMs / 2, "b").health;
    assert.equal(failuresInWindow(h, P, P.windowMs / 2), 2);
    assert.equal(failuresInWindow(h, P, P.windowMs + 1), 1);
    h = recordSuccess(h, P, 0, 100).health;
    h = recordSuccess(h, P, 0, 200).health;
    assert.equal(h.ewmaMs, 100 + P.ewmaAlpha * 100);
    assert.equal(h.lastMs, 200);
  });

  void it("maps state changes to alert types", () => {
    assert.equal(alertTypeFor({ from: "healthy", to: "degraded" }), "provider.degraded");
    assert.equal(alertTypeFor({ from: "degraded", to: "unhealthy" }), "provider.unhealthy");
    assert.equal(alertTypeFor({ from: "unhealthy", to: "healthy" }), "provider.recovered");
  });

  void it("state always agrees with the run of consecutive outcomes (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Outcome>("ok", "fail"), { maxLength: 80 }), (outcomes) => {
        const { h, changes } = play(outcomes);
        // Replay by hand: longest trailing run decides, with hysteresis through degraded/unhealthy.
        let state: ProviderState = "healthy";
        let fails = 0;
        let oks = 0;
        for (const o of outcomes) {
          if (o === "fail") {
            fails += 1;
            oks = 0;
            if (state === "unhealthy" || fails >= 5) state = "unhealthy";
            else if (fails >= 3) state = "degraded";
          } else {
            oks += 1;
            fails = 0;
            if (oks >= 3) state = "healthy";
          }
        }
        assert.equal(h.state, state);
        assert.equal(h.runs, outcomes.length);
        assert.equal(h.failures, outcomes.filter((o) => o === "fail").length);
        // Every change is a real change, and changes chain: each starts where the last ended.
        changes.forEach(([from, to], i) => {
          assert.notEqual(from, to);
          if (i > 0) assert.equal(from, changes[i - 1]![1]);
        });
        if (changes.length > 0) assert.equal(changes.at(-1)![1], h.state);
      }),
    );
  });
});
