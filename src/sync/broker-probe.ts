import { connectAsync, type IClientOptions } from "mqtt";

/**
 * Whether a broker accepts an MQTT session right now, without disturbing the gateway's own: a
 * separate client id, a clean session, no will, closed at once. A TCP connect alone would call a
 * broker healthy that accepts sockets but refuses clients.
 */
export async function probeBroker(url: string, options: IClientOptions, timeoutMs: number): Promise<void> {
  const client = await connectAsync(url, {
    ...options,
    clientId: `${options.clientId ?? "vigil"}-probe`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
    will: undefined,
    properties: undefined,
  });
  await client.endAsync(true);
}
