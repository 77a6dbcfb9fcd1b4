import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Readiness } from "./readiness.js";
import type { Notifier } from "./sd-notify.js";

export interface ReadyReporterOptions {
  /** The daemon's readiness (ReadinessRegistry.evaluate). */
  readonly evaluate: () => Readiness;
  readonly notifier: Pick<Notifier, "ready" | "status">;
  readonly log: Logger;
  readonly pollMs?: number;
  /** STATUS= sent with READY=1. */
  readonly readyStatus?: () => string;
  /**
   * Opt-in: after `ms`, send READY=1 anyway when every check still failing is one of `checks`
   * (external ones such as cameras). Without it a camera that is offline at boot keeps the unit
   * "activating" until TimeoutStartSec= kills it, and Restart= turns that into a loop, while the
   * gateway could be storing and forwarding everything else. Checks not listed (store, model)
   * never get this grace.
   */
  readonly degradedAfter?: { readonly ms: number; readonly checks: readonly string[] };
  readonly onReady?: (info: { degraded: boolean; afterMs: number }) => void;
}

/** "store: store is not open; model: model x is not loaded", for STATUS= and the log. */
export function readinessText(readiness: Readiness): string {
  return readiness.reasons.map((r) => `${r.check}: ${r.reason}`).join("; ");
}

/** The STATUS= line for a readiness, before and after READY=1. */
export function statusFor(readiness: Readiness, sentReady: boolean, readyStatus: string): string {
  if (readiness.ready) return readyStatus;
  return `${sentReady ? "degraded" : "starting"}: ${readinessText(readiness)}`;
}

/**
 * Tells systemd READY=1 only once the daemon is ready, and keeps `systemctl status` saying why
 * not meanwhile (STATUS= with the readiness reasons, sent when they change). After READY=1 it
 * keeps STATUS= current: systemd has no way back from ready, but a tech reading the status line
 * should still see a camera drop out. Add it last to the lifecycle, so polling starts only when
 * every other component has started.
 */
export class ReadyReporter implements Component {
  readonly name = "sd-ready";
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private sentReady = false;
  private lastStatus: string | undefined;

  constructor(private readonly options: ReadyReporterOptions) {}

  get isReady(): boolean {
    return this.sentReady;
  }

  async start(): Promise<void> {
    this.startedAt = performance.now();
    this.poll();
    this.timer = setInterval(() => this.poll(), this.options.pollMs ?? 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private evaluate(): Readiness {
    try {
      return this.options.evaluate();
    } catch (err) {
      return {
        ready: false,
        reasons: [{ check: "readiness", reason: `evaluation failed: ${(err as Error).message}` }],
      };
    }
  }

  private poll(): void {
    const readiness = this.evaluate();
    const readyStatus = this.options.readyStatus?.() ?? "ready";
    if (!this.sentReady) {
      const afterMs = Math.round(performance.now() - this.startedAt);
      if (readiness.ready) {
        this.announce(readyStatus, false, afterMs);
        return;
      }
      const grace = this.options.degradedAfter;
      if (grace && afterMs >= grace.ms && readiness.reasons.every((r) => grace.checks.includes(r.check))) {
        this.options.log.warn(
          { reasons: readiness.reasons, afterMs },
          "reporting ready to systemd while only external checks fail",
        );
        this.announce(statusFor(readiness, true, readyStatus), true, afterMs);
        return;
      }
    }
    const status = statusFor(readiness, this.sentReady, readyStatus);
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    this.options.notifier.status(status);
  }

  private announce(status: string, degraded: boolean, afterMs: number): void {
    this.sentReady = true;
    this.lastStatus = status;
    this.options.notifier.ready(status);
    this.options.onReady?.({ degraded, afterMs });
  }
}
