import { type ChildProcess, spawn } from "node:child_process";
import { SNAPSHOT_FD } from "./ffmpeg-args.js";

export interface FfmpegHandlers {
  readonly onFrames: (chunk: Buffer) => void;
  readonly onSnapshots?: (chunk: Buffer) => void;
  readonly onStderrLine: (line: string) => void;
  readonly onExit: (code: number | null, signal: string | null, spawnError?: Error) => void;
}

/**
 * One ffmpeg child with its outputs piped: rawvideo on stdout, JPEG snapshots on fd 3, the log on
 * stderr. Spawned directly, not through fluent-ffmpeg: fluent-ffmpeg only pipes stdout and
 * stderr, and the snapshot output needs a third pipe. `onExit` fires once, after the pipes are
 * drained, whether the process exited, was killed or could not be started.
 */
export class FfmpegProcess {
  private child: ChildProcess | undefined;
  private exitedResolve: () => void = () => {};
  readonly exited: Promise<void> = new Promise((r) => (this.exitedResolve = r));

  constructor(
    private readonly argv: readonly string[],
    private readonly handlers: FfmpegHandlers,
    private readonly binary = "ffmpeg",
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const wantsSnapshots = this.handlers.onSnapshots !== undefined;
    const stdio: Array<"ignore" | "pipe"> = ["ignore", "pipe", "pipe", ...(wantsSnapshots ? (["pipe"] as const) : [])];
    const child = spawn(this.binary, [...this.argv], { stdio });
    this.child = child;
    let done = false;
    const finish = (code: number | null, signal: string | null, err?: Error): void => {
      if (done) return;
      done = true;
      this.handlers.onExit(code, signal, err);
      this.exitedResolve();
    };
    child.once("error", (err) => finish(null, null, err));
    child.once("close", (code, signal) => finish(code, signal));
    child.stdout?.on("data", (c: Buffer) => this.handlers.onFrames(c));
    const snapshots = child.stdio[SNAPSHOT_FD];
    if (wantsSnapshots && snapshots && "on" in snapshots)
      snapshots.on("data", (c: Buffer) => this.handlers.onSnapshots?.(c));
    let partial = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      const lines = (partial + text).split(/\r\n|\n|\r/);
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.length > 0) this.handlers.onStderrLine(line);
    });
    child.stderr?.on("end", () => {
      if (partial.length > 0) this.handlers.onStderrLine(partial);
      partial = "";
    });
  }

  kill(signal: NodeJS.Signals): void {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}
