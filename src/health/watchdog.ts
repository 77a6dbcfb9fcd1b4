import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Notifier } from "./sd-notify.js";
import { watchdogFromEnv } from "./watchdog-env.js";
import {
  decideTick,
  judgeSource,
  type ProgressSample,
  type SourceMemory,
  type TickDecision,
} from "./watchdog-policy.js";

export interface ProgressSourceOptions {
  /**
   * True while the loop has work outstanding (a queued write, a frame being inferred). Omitted:
   * always busy, so the counter must move every `stallAfterMs` (a loop that ticks on a timer).
   */
  readonly busy?: () => boolean;
  /** Busy without progress for this long is a stall. Default: the watchdog interval. */
  readonly stallAfterMs?: number;
}

export interface WatchdogOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly pid: number;
  readonly notifier: Pick<Notifier, "watchdog">;
  readonly log: Logger;
  /** Event-loop delay above this withholds the ping. Default: half the watchdog interval. */
  readonly maxLagMs?: number;
}

interface Source {
  readonly name: string;
  readonly progress: () => number;
  readonly busy: () => boolean;
  readonly stallAfterMs: number | undefined;
  memory: SourceMemory | undefined;
}

export interface WatchdogState {
  readonly enabled: boolean;
  readonly intervalMs: number | undefined;
  /** The last tick's decision; undefined before the first tick. */
  readonly last: (TickDecision & { readonly lagMs: number; readonly at: string }) | undefined;
}

/**
 * Sends WATCHDOG=1 at half of WATCHDOG_USEC, but only while the daemon makes progress (see
 * watchdog-policy.ts for what that means here). systemd restarts a daemon that stops pinging, so
 * this is the cure for hangs nothing else notices: a wedged event loop, an fsync that never
 * returns, an inference stuck in native code. When it holds a ping back it logs why, naming the
 * loop that stalled, so the journal explains the restart that follows.
 */
export class Watchdog implements Component {
  readonly name = "watchdog";
  private readonly sources: Source[] = [];
  private timer: NodeJS.Timeout | undefined;
  private histogram: IntervalHistogram | undefined;
  private intervalMs: number | undefined;
  private pingEveryMs: number | undefined;
  private lastTickAt: number | undefined;
  private last: WatchdogState["last"];
  private withholdingSince: number | undefined;
  private loggedReasons = "";

  constructor(private readonly options: WatchdogOptions) {}

  /** A loop's progress counter (monotonic; any change counts). Register before start(). */
  register(name: string, progress: () => number, options: ProgressSourceOptions = {}): void {
    if (this.sources.some((s) => s.name === name))
      throw new VigilError(ErrorCodes.INTERNAL, `watchdog source "${name}" registered twice`);
    this.sources.push({
      name,
      progress,
      busy: options.busy ?? (() => true),
      stallAfterMs: options.stallAfterMs,
      memory: undefined,
    });
  }

  get state(): WatchdogState {
    return { enabled: this.timer !== undefined, intervalMs: this.intervalMs, last: this.last };
  }

  async start(): Promise<void> {
    const setting = watchdogFromEnv(this.options.env, this.options.pid);
    if (!setting.enabled) {
      if (setting.problem)
        this.options.log.warn(
          { problem: setting.problem },
          "systemd watchdog requested but not usable; no pings will be sent",
        );
      else this.options.log.debug("no systemd watchdog (WATCHDOG_USEC unset)");
      return;
    }
    this.intervalMs = setting.intervalMs;
    const pingEveryMs = Math.max(1, setting.intervalMs / 2);
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    // First samples now, so the first tick already has a baseline to compare with.
    const now = performance.now();
    for (const source of this.sources) source.memory = judgeSource(undefined, this.sample(source), now, 0).memory;
    this.pingEveryMs = pingEveryMs;
    this.lastTickAt = now;
    this.timer = setInterval(() => this.tick(), pingEveryMs);
    // The watchdog never keeps the process alive on its own.
    this.timer.unref();
    this.options.log.info(
      {
        intervalMs: setting.intervalMs,
        pingEveryMs,
        maxLagMs: this.maxLagMs(),
        sources: this.sources.map((s) => s.name),
      },
      "systemd watchdog enabled",
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
  }

  private maxLagMs(): number {
    return this.options.maxLagMs ?? (this.intervalMs ?? 0) / 2;
  }

  private sample(source: Source): ProgressSample {
    try {
      const value = source.progress();
      if (!Number.isFinite(value)) return { ok: false, error: `not a finite number: ${String(value)}` };
      return { ok: true, value, busy: source.busy() };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private tick(): void {
    const histogram = this.histogram;
    if (!histogram || this.intervalMs === undefined) return;
    // max is in nanoseconds; it is 0 when no delay sample was taken since the reset. The histogram
    // samples on its own timer, which after a long block may run after this tick: this tick's own
    // lateness counts too, so the tick right after a block always sees it.
    const now = performance.now();
    const lateMs = now - (this.lastTickAt ?? now) - (this.pingEveryMs ?? 0);
    this.lastTickAt = now;
    const lagMs = Math.max(histogram.max / 1e6, lateMs);
    histogram.reset();
    const intervalMs = this.intervalMs;
    const judged = this.sources.map((source) => {
      const stallAfterMs = source.stallAfterMs ?? intervalMs;
      const { memory, verdict } = judgeSource(source.memory, this.sample(source), now, stallAfterMs);
      source.memory = memory;
      return { name: source.name, verdict, stallAfterMs };
    });
    const decision = decideTick({ lagMs, maxLagMs: this.maxLagMs(), sources: judged });
    this.last = { ...decision, lagMs, at: new Date().toISOString() };
    if (decision.ping) {
      this.options.notifier.watchdog();
      if (this.withholdingSince !== undefined) {
        this.options.log.info({ withheldMs: Math.round(now - this.withholdingSince) }, "watchdog pings resumed");
        this.withholdingSince = undefined;
        this.loggedReasons = "";
      }
      return;
    }
    this.withholdingSince ??= now;
    // Once per change of cause, not once per tick: the journal should read as a story.
    const key =
      JSON.stringify(decision.stalled) + (decision.reasons.some((r) => r.startsWith("event loop")) ? "+lag" : "");
    if (key !== this.loggedReasons) {
      this.loggedReasons = key;
      this.options.log.warn(
        {
          reasons: decision.reasons,
          stalled: decision.stalled,
          lagMs: Math.round(lagMs),
          withheldMs: Math.round(now - this.withholdingSince),
        },
        "watchdog ping withheld: the daemon is not making progress; systemd restarts it if this lasts",
      );
    }
  }
}
