import { connect } from "node:net";

/**
 * Sends a request's head and only the first `sendBytes` of a body announced as `contentLength`,
 * then waits: a server that answers before it read the body answers here; one that waits for the
 * rest times out. Resolves with the status line's code, or `undefined` after `waitMs`.
 */
export function statusBeforeBody(
  port: number,
  opts: {
    method: string;
    path: string;
    contentType: string;
    contentLength: number;
    sendBytes: number;
    waitMs: number;
    headers?: Record<string, string>;
  },
): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, opts.waitMs);
    socket.on("error", (err) => {
      clearTimeout(timer);
      if (text.length > 0) resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]));
      else reject(err);
    });
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    const extra = Object.entries(opts.headers ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    socket.write(
      `${opts.method} ${opts.path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${opts.contentType}\r\ncontent-length: ${opts.contentLength}\r\n${extra}\r\n`,
    );
    socket.write(Buffer.alloc(opts.sendBytes, 0xff));
  });
}
