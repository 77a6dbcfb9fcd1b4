// The consumer's gap wait follows the broker's redelivery delay unless set outright.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DEFAULT_GAP_WAIT_MS, GAP_WAIT_ACK_WAITS, gapWaitFor } from "../../src/central/gap-wait.js";

void describe("gapWaitFor", () => {
  void it("is the default without a hint", () => {
    assert.equal(gapWaitFor({}), DEFAULT_GAP_WAIT_MS);
  });

  void it("covers several redelivery rounds of the broker's ack_wait", () => {
    assert.equal(gapWaitFor({ brokerAckWaitMs: 10_000 }), 60_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_600_000 }), (ackWait) => {
        const wait = gapWaitFor({ brokerAckWaitMs: ackWait });
        assert.equal(wait, GAP_WAIT_ACK_WAITS * ackWait);
        assert.ok(wait > ackWait);
      }),
    );
  });

  void it("an explicit wait wins over the broker's ack_wait", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.option(fc.integer({ min: 1, max: 3_600_000 }), { nil: undefined }),
        (gapWaitMs, brokerAckWaitMs) => {
          assert.equal(
            gapWaitFor({ gapWaitMs, ...(brokerAckWaitMs === undefined ? {} : { brokerAckWaitMs }) }),
            gapWaitMs,
          );
        },
      ),
    );
  });
});
