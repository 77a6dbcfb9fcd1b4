import { spawn } from "node:child_process";
import type { Logger } from "../core/logger.js";
import { type NotifyField, notifyArgs } from "./sd-notify-args.js";

/** What the daemon tells systemd (Type=notify). Every method is fire-and-forget and never throws. */
export interface Notifier {
  /** False without $NOTIFY_SOCKET (not under systemd, or not Type=notify): every call is a no-op. */
  readonly enabled: boolean;
  ready(status?: string): void;
  status(text: string): void;
  /** Sent once; afterwards ready() and watchdog() are ignored. */
  stopping(status?: string): void;
  /** Ignored until ready() was called (see SdNotifier). */
  watchdog(): void;
  /** EXTEND_TIMEOUT_USEC: asks for this much more time for the current start/stop phase. */
  extendTimeout(ms: number): void;
  /** Resolves once everything queued so far has been handed over (or given up on). */
  flush(): Promise<void>;
}

export interface SdNotifierOptions {
  readonly env: NodeJS.ProcessEnv;
  /** The daemon's PID (the unit's main PID). */
  readonly pid: number;
  readonly log: Logger;
  readonly command?: string;
  /** How long one systemd-notify may take (it waits for the manager); then it is killed. */
  readonly timeoutMs?: number;
}

const DEFAULT_COMMAND = "/usr/bin/systemd-notify";

interface Queued {
  readonly fields: readonly NotifyField[];
  /**
   * A waiting message of the same kind is dropped and this one goes to the end of the queue: a
   * second ping adds nothing, and only the newest STATUS= matters (systemd shows the last one).
   */
  readonly coalesce?: "watchdog" | "status";
}

/**
 * sd_notify through `systemd-notify`, because Node cannot send on a unix datagram socket. The
 * sender is then a child of the daemon, so the unit needs NotifyAccess=all.
 *
 * Messages go out one at a time, in order (STATUS before the READY that follows it); a watchdog
 * ping or a status still waiting behind a slow send is replaced rather than piled up. A failure
 * (no systemd-notify, a socket that refuses) is logged once per episode and never reaches the
 * daemon: losing a STATUS must not take the gateway down, and a lost READY or WATCHDOG is
 * something systemd itself will act on.
 *
 * WATCHDOG=1 is held back until READY=1 has been sent. systemd arms a unit's watchdog on the first
 * ping it receives, even during start-up, so an early ping would replace TimeoutStartSec= (minutes,
 * for a model load) with WatchdogSec= (seconds) as the start-up budget. After READY=1 systemd arms
 * it anyway.
 */
export class SdNotifier implements Notifier {
  readonly enabled: boolean;
  private readonly socket: string;
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly queue: Queued[] = [];
  private draining: Promise<void> | undefined;
  private stopped = false;
  private readySent = false;
  private failures = 0;

  constructor(private readonly options: SdNotifierOptions) {
    this.socket = options.env.NOTIFY_SOCKET ?? "";
    this.enabled = this.socket !== "";
    this.command = options.command ?? DEFAULT_COMMAND;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  ready(status?: string): void {
    if (this.stopped) return;
    this.readySent = true;
    this.enqueue({
      fields:
        status === undefined
          ? [["READY", "1"]]
          : [
              ["READY", "1"],
              ["STATUS", status],
            ],
    });
  }

  status(text: string): void {
    this.enqueue({ fields: [["STATUS", text]], coalesce: "status" });
  }

  stopping(status = "stopping"): void {
    if (this.stopped) return;
    this.stopped = true;
    this.enqueue({
      fields: [
        ["STOPPING", "1"],
        ["STATUS", status],
      ],
    });
  }

  watchdog(): void {
    if (this.stopped || !this.readySent) return;
    this.enqueue({ fields: [["WATCHDOG", "1"]], coalesce: "watchdog" });
  }

  extendTimeout(ms: number): void {
    this.enqueue({ fields: [["EXTEND_TIMEOUT_USEC", String(Math.max(0, Math.round(ms * 1000)))]] });
  }

  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private enqueue(message: Queued): void {
    if (!this.enabled) return;
    if (message.coalesce) {
      const i = this.queue.findIndex((q) => q.coalesce === message.coalesce);
      if (i >= 0) this.queue.splice(i, 1);
    }
    this.queue.push(message);
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      const error = await this.send(next.fields);
      if (error === undefined) {
        if (this.failures > 0) this.options.log.info({ failures: this.failures }, "sd_notify works again");
        this.failures = 0;
      } else {
        this.failures += 1;
        const fields = next.fields.map(([k]) => k);
        if (this.failures === 1) {
          this.options.log.warn(
            { err: error, fields, command: this.command },
            "sd_notify failed; systemd may miss readiness or watchdog pings (repeats are not logged)",
          );
        } else {
          this.options.log.debug({ err: error, fields }, "sd_notify failed again");
        }
      }
    }
    this.draining = undefined;
  }

  /** One systemd-notify run; resolves with why it failed, or undefined. Never rejects. */
  private send(fields: readonly NotifyField[]): Promise<string | undefined> {
    return new Promise((resolve) => {
      let stderr = "";
      let settled = false;
      const finish = (error: string | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(error);
      };
      let child;
      try {
        // Only NOTIFY_SOCKET is passed on: systemd-notify needs nothing else from our environment.
        child = spawn(this.command, notifyArgs(this.options.pid, fields), {
          stdio: ["ignore", "ignore", "pipe"],
          env: { NOTIFY_SOCKET: this.socket },
        });
      } catch (err) {
        resolve(`cannot run ${this.command}: ${(err as Error).message}`);
        return;
      }
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        finish(`${this.command} did not finish within ${this.timeoutMs} ms`);
      }, this.timeoutMs);
      timer.unref();
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (s: string) => {
        stderr = (stderr + s).slice(-1024);
      });
      child.once("error", (err) => finish(`cannot run ${this.command}: ${err.message}`));
      child.once("close", (code, signal) => {
        if (code === 0) finish(undefined);
        else finish(`${this.command} exited with ${code ?? signal ?? "unknown"}: ${stderr.trim()}`);
      });
    });
  }
}
