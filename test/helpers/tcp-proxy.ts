import { createServer, type Server, type Socket, connect } from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Cuts every open connection at once, as a crashing broker would (RST, no DISCONNECT). */
  cut(): void;
  /** Stops accepting (the "broker" is down) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback TCP relay in front of a real broker. Cutting it drops the gateway's connection mid
 * flight exactly like a broker crash does, while the broker itself (and the test's subscriber)
 * loses nothing: the test then measures only what the gateway guarantees.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = connect(targetPort, "127.0.0.1");
      sockets.add(client);
      sockets.add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => resolve());
    });
    const address = s.address();
    if (typeof address === "object" && address) port = address.port;
    server = s;
  };
  const cut = (): void => {
    for (const s of sockets) s.resetAndDestroy();
    sockets.clear();
  };
  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    cut();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    down,
    up: listen,
    close: down,
  };
}
