import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AuditThrottle } from "../../src/audit/audit-throttle.js";

void describe("audit throttle", () => {
  void it("records the first refusal per key and window and counts the rest into the next record", () => {
    const t = new AuditThrottle(60_000);
    assert.deepEqual(t.admit("10.0.0.1 bad_signature", 0), { record: true, suppressed: 0 });
    for (let i = 1; i <= 5; i++) assert.deepEqual(t.admit("10.0.0.1 bad_signature", i * 1000), { record: false });
    assert.deepEqual(
      t.admit("10.0.0.2 bad_signature", 6000),
      { record: true, suppressed: 0 },
      "another source is its own key",
    );
    assert.deepEqual(t.admit("10.0.0.1 bad_signature", 60_000), { record: true, suppressed: 5 });
  });

  void it("never loses count within its bounds: recorded + suppressed = occurrences", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.nat({ max: 1000 })), { maxLength: 300 }),
        (events) => {
          const t = new AuditThrottle(100);
          let now = 0;
          let recorded = 0;
          let suppressedReported = 0;
          for (const [key, step] of events) {
            now += step;
            const r = t.admit(key, now);
            if (r.record) {
              recorded++;
              suppressedReported += r.suppressed;
            }
          }
          // Flush: a far-future admit per key reports what is still pending.
          for (const key of ["a", "b", "c"]) {
            const r = t.admit(key, now + 1_000_000);
            if (r.record) suppressedReported += r.suppressed;
          }
          return recorded + suppressedReported === events.length;
        },
      ),
    );
  });

  void it("stays within its key bound under a flood of distinct sources", () => {
    const t = new AuditThrottle(60_000, 100);
    for (let i = 0; i < 10_000; i++) assert.equal(t.admit(`10.${i >> 8}.${i & 255}.1 x`, i).record, true);
  });
});
