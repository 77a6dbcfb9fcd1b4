// The central consumer's dedupe and gap state machine: every seq is delivered exactly once under
// duplicates and bounded reordering, loss is reported as gaps covering exactly what was lost, the
// state stays bounded, and it survives a JSON round trip (it lives in LevelDB).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  admit,
  type DedupeLimits,
  emptyState,
  expireHoles,
  isStreamState,
  type StreamEvent,
  type StreamState,
} from "../../src/central/dedupe.js";

const id = (seq: number, epoch = 0): string => `e${epoch}-${seq}`;

/** seqs 1..n, some repeated later (redelivery), neighbours swapped within `window`. */
const arrivals = (maxN: number, window: number) =>
  fc
    .record({
      n: fc.integer({ min: 1, max: maxN }),
      dupes: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }),
      swaps: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: window })), { maxLength: 40 }),
    })
    .map(({ n, dupes, swaps }) => {
      const order = Array.from({ length: n }, (_, i) => i + 1);
      for (const [at, by] of swaps) {
        const i = at % n;
        const j = Math.min(n - 1, i + by);
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      for (const [what, where] of dupes) {
        const pos = where % (order.length + 1);
        // A redelivery repeats something already sent before it.
        const sent = order.slice(0, pos);
        if (sent.length > 0) order.splice(pos, 0, sent[what % sent.length] as number);
      }
      return { n, order };
    });

function feed(
  order: readonly number[],
  opts: { epoch?: number; limits?: DedupeLimits; start?: StreamState; step?: (s: StreamState) => StreamState } = {},
) {
  let state = opts.start ?? emptyState();
  const delivered: number[] = [];
  const events: StreamEvent[] = [];
  let now = 0;
  for (const seq of order) {
    const r = admit(state, seq, id(seq, opts.epoch), now++, opts.limits);
    state = opts.step ? opts.step(r.state) : r.state;
    if (r.verdict === "deliver") delivered.push(seq);
    events.push(...r.events);
  }
  return { state, delivered, events, now };
}

void describe("central dedupe state", () => {
  void it("delivers every seq exactly once under redelivery and bounded reordering, with no gap", () => {
    fc.assert(
      fc.property(arrivals(300, 8), ({ n, order }) => {
        const { state, delivered, events } = feed(order);
        assert.deepEqual(
          [...delivered].sort((a, b) => a - b),
          Array.from({ length: n }, (_, i) => i + 1),
        );
        assert.equal(state.hwm, n);
        assert.equal(state.above.length, 0);
        assert.equal(state.holeSince, undefined);
        assert.equal(state.lost, 0);
        assert.deepEqual(events, []);
        assert.equal(state.delivered + state.duplicates, order.length);
      }),
    );
  });

  void it("reports as gaps exactly the seqs that never came, once the wait has passed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 200 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 50 }),
        (n, drops, waitMs) => {
          const lost = new Set(drops.map((d) => (d % (n - 1)) + 1)); // never the last: a tail loss is invisible until more arrives
          const order = Array.from({ length: n }, (_, i) => i + 1).filter((s) => !lost.has(s));
          let { state, events } = feed(order);
          const expired = expireHoles(state, 10_000 + waitMs, waitMs);
          state = expired.state;
          events = [...events, ...expired.events];
          const reported = new Set<number>();
          for (const e of events) {
            assert.equal(e.kind, "gap");
            if (e.kind === "gap") for (let s = e.from; s <= e.to; s++) reported.add(s);
          }
          assert.deepEqual(
            [...reported].sort((a, b) => a - b),
            [...lost].sort((a, b) => a - b),
          );
          assert.equal(state.lost, lost.size);
          assert.equal(state.hwm, n);
          assert.equal(state.above.length, 0);
        },
      ),
    );
  });

  void it("does not report a hole before the wait has passed", () => {
    const { state } = feed([1, 3]);
    assert.deepEqual(expireHoles(state, 5, 1000).events, []);
    const late = admit(expireHoles(state, 5, 1000).state, 2, id(2), 6);
    assert.equal(late.verdict, "deliver");
    assert.equal(late.state.hwm, 3);
  });

  void it("delivers a message from a reported hole once, as late, and never again", () => {
    const { state } = feed([1, 2, 5]);
    const { state: skipped, events } = expireHoles(state, 10_000, 100);
    assert.deepEqual(events, [{ kind: "gap", from: 3, to: 4, why: "timeout" }]);
    const late = admit(skipped, 3, id(3), 10_001);
    assert.equal(late.verdict, "deliver");
    assert.deepEqual(late.events, [{ kind: "late", seq: 3 }]);
    assert.equal(late.state.lost, 1);
    assert.equal(admit(late.state, 3, id(3), 10_002).verdict, "duplicate");
  });

  void it("stays bounded, declaring overflowing holes lost", () => {
    const limits: DedupeLimits = { maxAbove: 4, recent: 3, maxSkipped: 2 };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 200 }), (order) => {
        feed(order, {
          limits,
          step: (s) => {
            assert.ok(s.above.length <= limits.maxAbove);
            assert.ok(s.recent.length <= limits.recent);
            assert.ok(s.skipped.length <= limits.maxSkipped);
            assert.ok(s.above.every(([seq]) => seq > s.hwm + 1));
            return s;
          },
        });
      }),
    );
  });

  void it("behaves the same after a JSON round trip at every step", () => {
    fc.assert(
      fc.property(arrivals(100, 6), ({ order }) => {
        const plain = feed(order);
        const stored = feed(order, {
          step: (s) => {
            const back: unknown = JSON.parse(JSON.stringify(s));
            assert.ok(isStreamState(back));
            return back;
          },
        });
        assert.deepEqual(stored.delivered, plain.delivered);
        assert.deepEqual(JSON.parse(JSON.stringify(stored.state)), JSON.parse(JSON.stringify(plain.state)));
      }),
    );
  });

  void it("treats a new seq 1 as a reset: reported, then the new epoch is delivered in full", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), (n, m) => {
        const first = feed(Array.from({ length: n }, (_, i) => i + 1));
        const second = feed(
          Array.from({ length: m }, (_, i) => i + 1),
          { start: first.state, epoch: 1 },
        );
        assert.deepEqual(second.events, [{ kind: "reset", previousHwm: n }]);
        assert.equal(second.delivered.length, m);
        assert.equal(second.state.hwm, m);
        assert.equal(second.state.resets, 1);
      }),
    );
  });

  void it("refuses a known seq carrying another id, and says so", () => {
    const { state } = feed([1, 2, 3, 5]);
    for (const seq of [2, 5]) {
      const r = admit(state, seq, "forged", 100);
      assert.equal(r.verdict, "conflict");
      assert.deepEqual(r.events, [{ kind: "conflict", seq, id: "forged", knownId: id(seq) }]);
      assert.equal(r.state, state);
    }
  });
});
