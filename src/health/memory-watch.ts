import { PeriodicTask } from "../core/periodic-task.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { addPoint, type MemoryPoint, type MemoryPolicy, memoryVerdict, type MemoryVerdict } from "./memory-trend.js";

/** What health shows about the daemon's memory (`memory` in the health document). */
export interface MemoryReport extends MemoryVerdict {
  readonly heap_used_bytes: number | null;
  readonly external_bytes: number | null;
  readonly budget_bytes: number;
  readonly max_slope_mib_per_min: number;
  readonly window_s: number;
}

export interface MemoryWatchOptions extends MemoryPolicy {
  readonly intervalMs: number;
}

/** Where `memory.degraded` goes (the outbox's alerts stream). */
export type MemoryAlert = (type: "memory.degraded", data: Record<string, unknown>) => Promise<unknown>;

/**
 * Reads the daemon's RSS on a timer, keeps the last hour of readings and says whether memory
 * makes health `degraded` (above the budget, or a sustained slope). Raises `memory.degraded` once
 * when that starts; once memory is fine again, the next episode raises it again.
 */
export class MemoryWatch implements Component {
  readonly name = "memory-watch";
  private points: MemoryPoint[] = [];
  private usage: NodeJS.MemoryUsage | undefined;
  private alerted = false;
  private readonly beat: PeriodicTask;

  constructor(
    private readonly options: MemoryWatchOptions,
    private readonly alert: MemoryAlert,
    private readonly log: Logger,
    private readonly read: () => NodeJS.MemoryUsage = () => process.memoryUsage(),
    private readonly now: () => number = Date.now,
  ) {
    this.beat = new PeriodicTask(
      options.intervalMs,
      () => this.sample(),
      (err) => this.log.warn({ err }, "memory sample failed"),
    );
  }

  async start(): Promise<void> {
    await this.beat.start({ first: "now" });
  }

  async stop(): Promise<void> {
    await this.beat.stop();
  }

  /** Takes a reading now and raises the alert if memory has just become a reason. */
  sample(): void {
    this.usage = this.read();
    this.points = addPoint(this.points, { at: this.now(), rss: this.usage.rss }, this.options.windowMs);
    const verdict = memoryVerdict(this.points, this.options);
    if (verdict.reasons.length === 0) {
      this.alerted = false;
      return;
    }
    if (this.alerted) return;
    this.alerted = true;
    this.log.warn(
      { rss: verdict.rss_bytes, slope: verdict.slope_mib_per_min, reasons: verdict.reasons },
      "daemon memory is a health reason",
    );
    void this.alert("memory.degraded", { ...this.report(), reasons: verdict.reasons }).catch((err: unknown) =>
      this.log.error({ err }, "memory.degraded alert not queued"),
    );
  }

  reasons(): readonly string[] {
    return memoryVerdict(this.points, this.options).reasons;
  }

  report(): MemoryReport {
    const o = this.options;
    return {
      ...memoryVerdict(this.points, o),
      heap_used_bytes: this.usage?.heapUsed ?? null,
      external_bytes: this.usage?.external ?? null,
      budget_bytes: o.budgetBytes,
      max_slope_mib_per_min: o.maxSlopeMiBPerMin,
      window_s: Math.round(o.windowMs / 1000),
    };
  }
}
