import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { spawnService } from "./service-process.js";

/** dist/test/helpers -> repository root, where the Python script lives (it is not compiled). */
const SCRIPT = join(
  resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", ".."),
  "test",
  "helpers",
  "notify_socket.py",
);

export interface NotifyMessage {
  /** KEY=VALUE fields of the datagram. */
  readonly fields: Readonly<Record<string, string>>;
  readonly raw: string;
  /** performance.now() in the test process when the datagram was printed. */
  readonly at: number;
  /** The sender's pid from SCM_CREDENTIALS (the systemd-notify process, unless it was privileged). */
  readonly pid: number | null;
}

export interface NotifySocket {
  readonly path: string;
  /** Every datagram except systemd-notify's BARRIER=1 synchronisation messages. */
  readonly messages: readonly NotifyMessage[];
  /** The first message (from index `from`) matching, waiting up to timeoutMs for it. */
  waitFor(pred: (m: NotifyMessage) => boolean, timeoutMs: number, from?: number): Promise<NotifyMessage>;
  close(): Promise<void>;
}

function parseFields(raw: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of raw.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return fields;
}

/**
 * A unix datagram socket standing in for systemd's NOTIFY_SOCKET, served by a tiny Python script
 * (Node cannot bind one). Nothing checks the sender's credentials, as systemd would.
 */
export async function listenNotifySocket(path: string): Promise<NotifySocket> {
  const service = spawnService("/usr/bin/python3", [SCRIPT, path]);
  const messages: NotifyMessage[] = [];
  const waiters = new Set<() => void>();
  let listening: () => void = () => {};
  const ready = new Promise<void>((res) => (listening = res));
  createInterface({ input: service.child.stdout }).on("line", (line) => {
    const parsed = JSON.parse(line) as { listening?: string; data?: string; pid?: number | null };
    if (parsed.listening !== undefined) return listening();
    const raw = parsed.data ?? "";
    const fields = parseFields(raw);
    if (Object.keys(fields).length === 1 && fields.BARRIER === "1") return;
    messages.push({ fields, raw, at: performance.now(), pid: parsed.pid ?? null });
    for (const w of waiters) w();
  });
  const failed = service.exited.then(() => {
    throw new Error(`notify_socket.py exited early: ${service.stderr()}`);
  });
  await Promise.race([ready, failed]);
  failed.catch(() => {});
  return {
    path,
    messages,
    waitFor: (pred, timeoutMs, from = 0) =>
      new Promise((res, rej) => {
        const check = (): boolean => {
          const hit = messages.slice(from).find(pred);
          if (!hit) return false;
          waiters.delete(onMessage);
          clearTimeout(timer);
          res(hit);
          return true;
        };
        const onMessage = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(onMessage);
          rej(
            new Error(
              `no matching notify message within ${timeoutMs} ms; got: ${JSON.stringify(messages.slice(from).map((m) => m.raw))}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(onMessage);
      }),
    close: async () => {
      service.child.kill("SIGTERM");
      await service.exited;
    },
  };
}
