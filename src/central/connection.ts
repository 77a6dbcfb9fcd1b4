import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from "mqtt";

/**
 * Dials the first broker of a list that accepts a session, MQTT 5 first and 3.1.1 where the
 * broker refuses 5 (NATS), remembering which each broker speaks. `prepare` runs on the client
 * before any packet can arrive: a resumed session's queued messages come right after CONNACK, and
 * must not reach mqtt.js's default handler (which acknowledges at once).
 */

export interface Dialled {
  readonly client: MqttClient;
  readonly url: string;
  readonly protocolVersion: 4 | 5;
  readonly sessionPresent: boolean;
}

const isProtocolRejection = (err: unknown): boolean => {
  const e = err as { code?: number; message?: string };
  return e.code === 1 || e.code === 132 || /protocol|closed|ECONNRESET|timeout/i.test(e.message ?? "");
};

function attempt(
  url: string,
  options: IClientOptions,
  prepare: (client: MqttClient) => void,
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  return new Promise((resolve, reject) => {
    const client = connect(url, options);
    prepare(client);
    const fail = (err: Error) => {
      cleanup();
      client.end(true);
      reject(err);
    };
    const onConnect = (connack: IConnackPacket) => {
      cleanup();
      resolve({ client, connack });
    };
    const onClose = () => fail(new Error(`connection to ${url} closed`));
    const timer = setTimeout(() => fail(new Error(`connect timeout to ${url}`)), options.connectTimeout ?? 5_000);
    const cleanup = () => {
      clearTimeout(timer);
      client.off("connect", onConnect);
      client.off("error", fail);
      client.off("close", onClose);
    };
    client.once("connect", onConnect);
    client.once("error", fail);
    client.once("close", onClose);
  });
}

export async function dialBrokers(
  brokers: readonly string[],
  options: IClientOptions,
  known: Map<string, 4 | 5>,
  prepare: (client: MqttClient) => void,
  start = 0,
): Promise<Dialled> {
  let last: unknown;
  for (let i = 0; i < brokers.length; i++) {
    const url = brokers[(start + i) % brokers.length] as string;
    for (const version of known.has(url) ? [known.get(url) as 4 | 5] : ([5, 4] as const)) {
      try {
        const { client, connack } = await attempt(
          url,
          {
            ...options,
            protocolVersion: version,
            reconnectPeriod: 0,
            connectTimeout: options.connectTimeout ?? 5_000,
            ...(version === 5 ? { properties: { sessionExpiryInterval: 0xffffffff } } : { properties: undefined }),
          },
          prepare,
        );
        known.set(url, version);
        return { client, url, protocolVersion: version, sessionPresent: connack.sessionPresent === true };
      } catch (err) {
        last = err;
        if (version === 5 && isProtocolRejection(err)) continue;
        break;
      }
    }
  }
  throw last instanceof Error ? last : new Error(`no broker accepted a session: ${String(last)}`);
}
