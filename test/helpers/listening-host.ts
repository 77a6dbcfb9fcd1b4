import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The host an attacker names in a camera URL: a real HTTP server on loopback that asks for Basic
 * credentials (as a camera would) and records every request, so a test can see what the daemon
 * would have sent it. `/banner` answers 200 with an internal service's text instead.
 */
export interface ListeningHost {
  readonly url: string;
  readonly requests: ReadonlyArray<{ readonly url: string; readonly authorization: string | undefined }>;
  /** Everything that reached the host, decoded from Basic authorization where present. */
  received(): string;
  close(): Promise<void>;
}

export async function startListeningHost(): Promise<ListeningHost> {
  const requests: Array<{ url: string; authorization: string | undefined }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    if (req.url?.startsWith("/banner")) {
      res
        .writeHead(200, { "content-type": "text/plain" })
        .end("internal-billing-7 PostgreSQL 15.2 admin console; db password rotation due\n");
      return;
    }
    res.writeHead(401, { "www-authenticate": 'Basic realm="camera"' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    received: () =>
      requests
        .map(
          (r) =>
            `${r.url} ${r.authorization ?? ""} ${r.authorization?.startsWith("Basic ") ? Buffer.from(r.authorization.slice(6), "base64").toString("utf8") : ""}`,
        )
        .join("\n"),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
