import { randomBytes } from "node:crypto";
import { connect } from "mqtt";

export interface CollectedMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: number;
  json(): unknown;
}

export interface MqttCollector {
  /** Everything received so far, in arrival order. */
  messages: CollectedMessage[];
  /** The first message (already received or still to come) that matches. */
  waitFor(pred: (m: CollectedMessage) => boolean, timeoutMs: number): Promise<CollectedMessage>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

function describe(m: CollectedMessage): string {
  const body = m.payload.toString("utf8");
  const shown = body.length > 200 ? body.slice(0, 200) + "..." : body;
  return `  ${m.topic}${m.retain ? " (retained)" : ""}: ${shown}`;
}

/** Subscribes to `topic` (QoS 1) and records every message; survives broker restarts. */
export async function collectMqtt(url: string, topic: string): Promise<MqttCollector> {
  const client = connect(url, {
    clientId: `vigil-test-collector-${randomBytes(4).toString("hex")}`,
    clean: false,
    reconnectPeriod: 200,
    connectTimeout: 2_000,
    // We subscribe ourselves whenever the broker has no session for us (first connect, or a
    // restarted broker without persistence), so a retained message is not delivered twice.
    resubscribe: false,
  });
  // An "error" event without a listener would throw; reconnecting is mqtt.js's job.
  let lastError = "";
  client.on("error", (e) => {
    lastError = e.message;
  });
  const messages: CollectedMessage[] = [];
  const waiters = new Set<(m: CollectedMessage) => void>();
  client.on("message", (t, payload, packet) => {
    const m: CollectedMessage = {
      topic: t,
      payload,
      retain: packet.retain,
      qos: packet.qos,
      json: () => JSON.parse(payload.toString("utf8")) as unknown,
    };
    messages.push(m);
    for (const w of [...waiters]) w(m);
  });

  const firstSubscribe = new Promise<void>((res, rej) => {
    const timer = setTimeout(() => {
      rej(new Error(`collectMqtt: no SUBACK from ${url} within ${CONNECT_TIMEOUT_MS} ms ${lastError}`));
    }, CONNECT_TIMEOUT_MS);
    client.on("connect", (connack) => {
      if (connack.sessionPresent) return;
      client.subscribe(topic, { qos: 1 }, (err) => {
        // A failure here means the connection dropped; the next connect subscribes again.
        if (err === null || err === undefined) {
          clearTimeout(timer);
          res();
        }
      });
    });
  });
  try {
    await firstSubscribe;
  } catch (e) {
    await client.endAsync(true);
    throw e;
  }

  return {
    messages,
    waitFor(pred, timeoutMs) {
      const found = messages.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((res, rej) => {
        const w = (m: CollectedMessage): void => {
          if (!pred(m)) return;
          clearTimeout(timer);
          waiters.delete(w);
          res(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          const got = messages.length === 0 ? "  (nothing)" : messages.slice(-20).map(describe).join("\n");
          const head = `waitFor on ${topic}: no match within ${timeoutMs} ms`;
          rej(new Error(`${head}; received ${messages.length}:\n${got}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
