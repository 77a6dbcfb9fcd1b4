import { createConnection } from "node:net";
import { join } from "node:path";
import { ADMIN_SOCKET_NAME } from "../contract/admin.js";

/**
 * Whether a daemon answers on the data directory's admin socket. Verbs that must not run beside
 * the daemon (restore) ask this first, to say "stop the daemon" rather than "store locked". Only
 * a connection counts: no socket, or a stale one (ECONNREFUSED), means no daemon; anything else
 * (no permission) is left to the store's own lock to decide.
 */
export function daemonAnswers(dataDir: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(join(dataDir, ADMIN_SOCKET_NAME));
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
