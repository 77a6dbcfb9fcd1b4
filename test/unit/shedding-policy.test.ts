// Load shedding: cut the busiest cameras evenly when the detector drops frames, keep every
// camera alive, and give the rate back step by step when the detector has room again.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DEFAULT_SHED_POLICY, fairShares, planShedding, type ShedCamera } from "../../src/ingest/shedding-policy.js";

const cameraArb = (i: number): fc.Arbitrary<ShedCamera> =>
  fc
    .record({
      configuredFps: fc.constantFrom(1, 2, 5, 10, 15),
      limitShare: fc.double({ min: 0.05, max: 1, noNaN: true }),
      passShare: fc.double({ min: 0, max: 1, noNaN: true }),
      skipShare: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ configuredFps, limitShare, passShare, skipShare }) => {
      const limitFps = Math.max(Math.min(configuredFps, DEFAULT_SHED_POLICY.minFps), configuredFps * limitShare);
      const passedFps = limitFps * passShare;
      return {
        id: `c${i}`,
        configuredFps,
        limitFps,
        passedFps,
        skippedFps: passedFps * skipShare,
        analysedFps: passedFps * (1 - skipShare),
      };
    });
const camerasArb = fc
  .integer({ min: 1, max: 8 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => cameraArb(i))));

void describe("fairShares", () => {
  void it("never gives more than asked or more than the capacity; the smallest demands are met first", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 30, noNaN: true }), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (demands, capacity) => {
          const shares = fairShares(demands, capacity);
          shares.forEach((s, i) => assert.ok(s <= (demands[i] ?? 0) + 1e-9 && s >= 0));
          const total = shares.reduce((a, b) => a + b, 0);
          assert.ok(total <= capacity + 1e-6);
          // Max-min fairness: a camera short of its demand got at least as much as any other.
          const maxShare = Math.max(...shares);
          shares.forEach((s, i) => {
            if (s < (demands[i] ?? 0) - 1e-9) assert.ok(s >= maxShare - 1e-6);
          });
        },
      ),
    );
  });
});

void describe("planShedding", () => {
  void it("every camera stays between the floor and its configured fps", () => {
    fc.assert(
      fc.property(
        camerasArb,
        fc.option(fc.double({ min: 1, max: 500, noNaN: true }), { nil: undefined }),
        (cameras, meanMs) => {
          const plan = planShedding(cameras, meanMs);
          for (const c of cameras) {
            const l = plan.limits[c.id] ?? -1;
            assert.ok(
              l >= Math.min(c.configuredFps, DEFAULT_SHED_POLICY.minFps) - 1e-9 && l <= c.configuredFps + 1e-9,
              `${c.id}: ${l}`,
            );
          }
          assert.equal(
            plan.active,
            cameras.some((c) => (plan.limits[c.id] ?? 0) < c.configuredFps),
          );
          if (plan.active) assert.ok(plan.reason && plan.reason.length > 0);
        },
      ),
    );
  });

  void it("overloaded: no cap rises, and only cameras at the top are cut", () => {
    fc.assert(
      fc.property(camerasArb, (cameras) => {
        const passed = cameras.reduce((s, c) => s + c.passedFps, 0);
        const skipped = cameras.reduce((s, c) => s + c.skippedFps, 0);
        fc.pre(
          passed > 0 &&
            skipped / passed > DEFAULT_SHED_POLICY.overloadSkipRatio &&
            cameras.some((c) => c.analysedFps > 0),
        );
        const plan = planShedding(cameras, 100);
        for (const c of cameras) assert.ok((plan.limits[c.id] ?? 0) <= c.limitFps + 1e-9);
        // Evenness: a camera left alone never sends more than a cut camera is still allowed
        // (unless that one sits at the floor, where nothing is cut further).
        const cut = cameras.filter((c) => (plan.limits[c.id] ?? 0) < c.limitFps - 1e-9);
        const kept = cameras.filter((c) => !cut.includes(c));
        for (const a of cut) {
          const newLimit = plan.limits[a.id] ?? 0;
          const atFloor = newLimit <= Math.min(a.configuredFps, DEFAULT_SHED_POLICY.minFps) + 1e-9;
          for (const b of kept)
            assert.ok(
              atFloor || Math.min(b.limitFps, b.passedFps) <= newLimit + 0.01,
              `${b.id} kept above cut ${a.id}`,
            );
        }
      }),
    );
  });

  void it("four 5 fps cameras on a detector that manages 9 fps are cut to about 2.25 each, then held", () => {
    const cams = ["a", "b", "c", "d"].map((id) => ({
      id,
      configuredFps: 5,
      limitFps: 5,
      passedFps: 5,
      analysedFps: 2.25,
      skippedFps: 2.75,
    }));
    const plan = planShedding(cams, 110);
    assert.equal(plan.action, "shed");
    for (const c of cams) assert.equal(plan.limits[c.id], 2.25);
    const steady = cams.map((c) => ({ ...c, limitFps: 2.25, passedFps: 2.25, analysedFps: 2.25, skippedFps: 0 }));
    const next = planShedding(steady, 110);
    assert.equal(next.action, "hold");
    assert.equal(next.active, true);
    assert.match(next.reason ?? "", /4 camera/);
  });

  void it("calm with room to spare: caps rise one step at a time until none is left", () => {
    let cams: ShedCamera[] = [{ id: "a", configuredFps: 10, limitFps: 1, passedFps: 1, analysedFps: 1, skippedFps: 0 }];
    const seen: number[] = [];
    for (let k = 0; k < 30 && (cams[0]?.limitFps ?? 10) < 10; k++) {
      const plan = planShedding(cams, 10);
      const l = plan.limits.a ?? 0;
      assert.ok(l > (cams[0]?.limitFps ?? 0) && l <= (cams[0]?.limitFps ?? 0) * 1.5 + 0.5);
      seen.push(l);
      cams = [{ id: "a", configuredFps: 10, limitFps: l, passedFps: l, analysedFps: l, skippedFps: 0 }];
    }
    assert.equal(seen.at(-1), 10);
    assert.equal(planShedding(cams, 10).active, false);
    // A busy detector (utilisation above the restore threshold) keeps the caps where they are.
    const busy = planShedding(
      [{ id: "a", configuredFps: 10, limitFps: 4, passedFps: 4, analysedFps: 4, skippedFps: 0 }],
      200,
    );
    assert.equal(busy.limits.a, 4);
  });
});
