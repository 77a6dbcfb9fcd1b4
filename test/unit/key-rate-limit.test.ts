// Per-key limits: fixed minute and hour windows aligned to the clock, a retry-after that is always
// enough, and refused requests that cost nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { KeyRateLimiter, type RateState, takeRequest } from "../../src/auth/api-keys/key-rate-limit.js";

const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

void describe("key rate limit", () => {
  void it("refuses past the per-minute limit until the minute rolls over, with an exact retry-after", () => {
    const limiter = new KeyRateLimiter();
    const limits = { per_minute: 3, per_hour: 100 };
    for (let i = 0; i < 3; i++) assert.equal(limiter.take("k", limits, T0 + 10_000 + i).ok, true);
    const refused = limiter.take("k", limits, T0 + 10_500);
    assert.equal(refused.ok, false);
    assert.equal(refused.ok ? undefined : refused.retryAfterS, 50);
    // Refused requests did not use up anything: the next minute has its full budget again.
    assert.equal(limiter.take("k", limits, T0 + MIN - 1).ok, false);
    for (let i = 0; i < 3; i++) assert.equal(limiter.take("k", limits, T0 + MIN + i).ok, true);
    assert.equal(limiter.take("k", limits, T0 + MIN + 5).ok, false);
    // Keys are counted apart.
    assert.equal(limiter.take("other", limits, T0 + MIN + 5).ok, true);
  });

  void it("refuses past the per-hour limit until the hour rolls over", () => {
    const limiter = new KeyRateLimiter();
    const limits = { per_minute: 100, per_hour: 5 };
    for (let i = 0; i < 5; i++) assert.equal(limiter.take("k", limits, T0 + i * MIN).ok, true);
    const refused = limiter.take("k", limits, T0 + 5 * MIN);
    assert.equal(refused.ok, false);
    assert.equal(refused.ok ? undefined : refused.retryAfterS, 55 * 60);
    const hourWindow = refused.windows.find((w) => w.window === "hour");
    assert.deepEqual(hourWindow, { window: "hour", limit: 5, remaining: 0, resetAt: T0 + HOUR });
    assert.equal(limiter.take("k", limits, T0 + HOUR).ok, true);
  });

  void it("a clock set back does not hand out a fresh window", () => {
    const limits = { per_minute: 1, per_hour: 100 };
    const first = takeRequest(undefined, limits, T0 + 30_000);
    const back = takeRequest(first.state, limits, T0 - 5 * MIN);
    assert.equal(back.decision.ok, false);
  });

  void it("agrees with a reference count per aligned window, and a refusal's retry-after always suffices", () => {
    const limitsArb = fc.record({
      per_minute: fc.integer({ min: 1, max: 6 }),
      per_hour: fc.integer({ min: 1, max: 30 }),
    });
    const gapsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 20 * MIN })), {
      minLength: 1,
      maxLength: 120,
    });
    fc.assert(
      fc.property(limitsArb, gapsArb, fc.integer({ min: 0, max: HOUR }), (limits, gaps, offset) => {
        const accepted = new Map<string, number>();
        let state: RateState | undefined;
        let now = T0 + offset;
        for (const gap of gaps) {
          now += gap;
          const minuteKey = `m${Math.floor(now / MIN)}`;
          const hourKey = `h${Math.floor(now / HOUR)}`;
          const expectOk =
            (accepted.get(minuteKey) ?? 0) < limits.per_minute && (accepted.get(hourKey) ?? 0) < limits.per_hour;
          const step = takeRequest(state, limits, now);
          assert.equal(step.decision.ok, expectOk);
          if (step.decision.ok) {
            accepted.set(minuteKey, (accepted.get(minuteKey) ?? 0) + 1);
            accepted.set(hourKey, (accepted.get(hourKey) ?? 0) + 1);
            for (const w of step.decision.windows) assert.ok(w.remaining >= 0 && w.remaining < w.limit);
          } else {
            const wait = step.decision.retryAfterS;
            assert.ok(wait >= 1 && wait <= 3600);
            assert.equal(
              takeRequest(step.state, limits, now + wait * 1000).decision.ok,
              true,
              "retrying after retryAfterS passes",
            );
            if (wait > 1)
              assert.equal(
                takeRequest(step.state, limits, now + (wait - 1) * 1000 - 1).decision.ok,
                false,
                "and not much earlier",
              );
          }
          state = step.state;
        }
      }),
      { numRuns: 300 },
    );
  });
});
