import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";

export interface ServiceProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** The last 8 KiB of stderr, for error messages. */
  stderr(): string;
  /** True once the process is gone (or never started). */
  done(): boolean;
  /** Resolves once the process has exited and stderr has been read to the end. */
  readonly exited: Promise<void>;
}

/**
 * Spawns a server a test depends on (mosquitto, the RTSP server): stderr is drained for the
 * process's whole life (a full pipe would block it) and kept for error messages, and the process
 * is SIGKILLed if the test process exits first, so no server outlives its test.
 */
export function spawnService(command: string, args: readonly string[]): ServiceProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (s: string) => {
    stderr = (stderr + s).slice(-8192);
  });
  let done = false;
  // "close" rather than "exit": by then stderr has been read to the end. A failed spawn emits
  // "error" and never "close".
  const exited = new Promise<void>((res) => {
    const fin = (): void => {
      done = true;
      res();
    };
    child.once("close", fin);
    child.once("error", (e) => {
      stderr += `\nspawn error: ${e.message}`;
      if (child.pid === undefined) fin();
    });
  });
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  void exited.then(() => process.removeListener("exit", killOnExit));
  return { child, stderr: () => stderr, done: () => done, exited };
}
