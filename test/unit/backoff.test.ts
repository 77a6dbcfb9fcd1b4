// Reconnect schedule: bounded, growing, jittered within its band, and forgotten only after a
// connection that actually stayed up.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Backoff, backoffCeiling, backoffDelay, type BackoffPolicy } from "../../src/core/backoff.js";

const policyArb: fc.Arbitrary<BackoffPolicy> = fc
  .record({
    initialMs: fc.integer({ min: 1, max: 10_000 }),
    extra: fc.integer({ min: 0, max: 600_000 }),
    factor: fc.double({ min: 1, max: 4, noNaN: true }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ initialMs, extra, factor, jitter }) => ({ initialMs, maxMs: initialMs + extra, factor, jitter }));
const attemptArb = fc.integer({ min: 0, max: 2000 });
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

void describe("backoffDelay / backoffCeiling", () => {
  void it("the delay is an integer in [ceiling*(1-jitter), ceiling] (up to rounding) and never above maxMs", () => {
    fc.assert(
      fc.property(policyArb, attemptArb, randomArb, (policy, attempt, r) => {
        const ceiling = backoffCeiling(policy, attempt);
        const delay = backoffDelay(policy, attempt, () => r);
        assert.ok(Number.isInteger(delay));
        assert.ok(delay >= ceiling * (1 - policy.jitter) - 0.5, `${delay} below band of ${ceiling}`);
        assert.ok(delay <= ceiling + 0.5, `${delay} above ceiling ${ceiling}`);
        assert.ok(delay <= policy.maxMs);
        assert.ok(delay >= 0);
      }),
    );
  });

  void it("jitter spans the whole band: r=0 gives the floor, r->1 the ceiling", () => {
    fc.assert(
      fc.property(policyArb, attemptArb, (policy, attempt) => {
        const ceiling = backoffCeiling(policy, attempt);
        assert.equal(
          backoffDelay(policy, attempt, () => 0),
          Math.round(ceiling * (1 - policy.jitter)),
        );
        assert.ok(Math.abs(backoffDelay(policy, attempt, () => 1 - Number.EPSILON) - ceiling) <= 0.5);
      }),
    );
  });

  void it("out-of-range jitter is clamped to [0, 1]", () => {
    const p = { initialMs: 1000, maxMs: 60_000, factor: 2 };
    assert.equal(
      backoffDelay({ ...p, jitter: -3 }, 2, () => 0),
      4000,
    );
    assert.equal(
      backoffDelay({ ...p, jitter: 7 }, 2, () => 0),
      0,
    );
    assert.equal(
      backoffDelay({ ...p, jitter: 7 }, 2, () => 0.5),
      2000,
    );
  });

  void it("the ceiling starts at initialMs, never decreases, and is capped at maxMs", () => {
    fc.assert(
      fc.property(policyArb, attemptArb, attemptArb, (policy, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        assert.ok(backoffCeiling(policy, lo) <= backoffCeiling(policy, hi));
        assert.ok(backoffCeiling(policy, hi) <= policy.maxMs);
        assert.equal(backoffCeiling(policy, 0), policy.initialMs);
        // Negative attempts behave as attempt 0.
        assert.equal(backoffCeiling(policy, -lo - 1), policy.initialMs);
      }),
    );
  });

  void it("the ceiling reaches maxMs and stays there, even for absurd attempt counts", () => {
    fc.assert(
      fc.property(
        policyArb.filter((p) => p.factor >= 1.5),
        (policy) => {
          assert.equal(backoffCeiling(policy, 10_000), policy.maxMs);
          assert.equal(backoffCeiling(policy, Number.MAX_SAFE_INTEGER), policy.maxMs);
        },
      ),
    );
    assert.deepEqual(
      [0, 1, 2, 3, 6, 7, 100].map((a) => backoffCeiling({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.5 }, a)),
      [1000, 2000, 4000, 8000, 60_000, 60_000, 60_000],
    );
  });
});

void describe("Backoff", () => {
  const fixed: BackoffPolicy = { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0 };
  const resetAfterMs = 30_000;

  void it("walks the ceilings, and resets only after a connection that stayed up >= resetAfterMs", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 2 * resetAfterMs }),
        (failures, upAt, upFor) => {
          const b = new Backoff(fixed, resetAfterMs, () => 0.5);
          for (let i = 0; i < failures; i++) assert.equal(b.next(), backoffCeiling(fixed, i));
          assert.equal(b.attempts, failures);
          b.markUp(upAt);
          b.markDown(upAt + upFor);
          if (upFor >= resetAfterMs) {
            assert.equal(b.attempts, 0);
            assert.equal(b.next(), fixed.initialMs);
          } else {
            assert.equal(b.attempts, failures);
            assert.equal(b.next(), backoffCeiling(fixed, failures));
          }
        },
      ),
    );
  });

  void it("a drop without a preceding markUp never resets, however late it comes", () => {
    const b = new Backoff(fixed, resetAfterMs, () => 0.5);
    b.next();
    b.next();
    b.markDown(0);
    b.markDown(10 * resetAfterMs);
    assert.equal(b.attempts, 2);
    // A stable period is consumed by the drop that ended it: the next drop (of a connection that
    // never came up again) must not reset a second time.
    b.markUp(0);
    b.markDown(resetAfterMs);
    assert.equal(b.attempts, 0);
    b.next();
    b.next();
    b.next();
    b.markDown(100 * resetAfterMs);
    assert.equal(b.attempts, 3);
  });

  void it("exactly resetAfterMs counts as stable; one millisecond less does not", () => {
    const b = new Backoff(fixed, resetAfterMs);
    b.next();
    b.markUp(1000);
    b.markDown(1000 + resetAfterMs - 1);
    assert.equal(b.attempts, 1);
    b.markUp(5000);
    b.markDown(5000 + resetAfterMs);
    assert.equal(b.attempts, 0);
  });
});
