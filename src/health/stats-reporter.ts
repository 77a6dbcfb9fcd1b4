import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";

/**
 * Logs one line of operating figures at a fixed interval, so a box without metrics scraping still
 * leaves a trail of frame rates, detector time and memory in its journal.
 */
export class StatsReporter implements Component {
  readonly name = "stats-reporter";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly collect: (elapsedS: number) => Record<string, unknown>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.intervalMs <= 0) return;
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      try {
        this.log.info(this.collect((now - last) / 1000), "stats");
      } catch (err) {
        this.log.warn({ err }, "stats collection failed");
      }
      last = now;
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
