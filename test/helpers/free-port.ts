import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago (another process may still take it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("freePort: no TCP address"));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}
