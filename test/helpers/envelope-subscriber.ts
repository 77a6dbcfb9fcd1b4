import { randomBytes } from "node:crypto";
import { connectAsync, type MqttClient } from "mqtt";
import type { Envelope } from "../../src/contract/envelope.js";

export interface StreamTally {
  /** seqs in order of first arrival */
  readonly firstSeen: number[];
  readonly seen: Set<number>;
  duplicates: number;
  readonly ids: Map<number, string>;
}

export interface EnvelopeSubscriber {
  readonly tally: StreamTally;
  waitForCount(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A consumer as the central server would write one: subscribes QoS 1, dedupes by id, records the
 * order in which each seq first arrived. Cheap enough for 100,000 messages.
 */
export async function subscribeEnvelopes(url: string, topic: string): Promise<EnvelopeSubscriber> {
  const tally: StreamTally = { firstSeen: [], seen: new Set(), duplicates: 0, ids: new Map() };
  const client: MqttClient = await connectAsync(url, {
    clientId: `tally-${randomBytes(4).toString("hex")}`,
    clean: true,
    reconnectPeriod: 0,
  });
  client.on("message", (_topic, payload) => {
    const e = JSON.parse(payload.toString("utf8")) as Envelope;
    if (tally.seen.has(e.seq)) {
      tally.duplicates += 1;
      if (tally.ids.get(e.seq) !== e.id) throw new Error(`seq ${e.seq} arrived with two different ids`);
      return;
    }
    tally.seen.add(e.seq);
    tally.ids.set(e.seq, e.id);
    tally.firstSeen.push(e.seq);
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return {
    tally,
    waitForCount: async (n, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (tally.seen.size < n) {
        if (Date.now() > deadline)
          throw new Error(`only ${tally.seen.size} of ${n} distinct messages arrived within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => client.endAsync(),
  };
}
