/**
 * How long the consumer waits for a seq hole to fill before it reports a gap. A hole is filled by
 * the broker's redelivery, which comes one ack_wait (NATS `mqtt { ack_wait }`, 30 s by default)
 * after the lost delivery; a redelivery can itself be lost when a node dies or the consumer's
 * connection drops again, and then waits another ack_wait. The 100-gateway run saw holes filled
 * up to about 4 ack_waits late after a node kill (docs/performance.md), so the wait is a multiple
 * of the broker's ack_wait, never a fixed number that a broker setting silently overtakes.
 */

export const DEFAULT_GAP_WAIT_MS = 60_000;

/** Redelivery rounds a hole is given before it is reported. */
export const GAP_WAIT_ACK_WAITS = 6;

export interface GapWaitOptions {
  /** An explicit wait wins. */
  readonly gapWaitMs?: number;
  /** The broker's redelivery delay for QoS 1 (NATS `mqtt.ack_wait`), when known. */
  readonly brokerAckWaitMs?: number;
}

export function gapWaitFor(options: GapWaitOptions): number {
  if (options.gapWaitMs !== undefined) return options.gapWaitMs;
  if (options.brokerAckWaitMs !== undefined) return GAP_WAIT_ACK_WAITS * options.brokerAckWaitMs;
  return DEFAULT_GAP_WAIT_MS;
}
