import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { Outbox } from "../store/outbox.js";
import type { KpiRollupStore } from "./kpi-rollup-store.js";

const publishedKey = (week: string): string => `kpi_weekly!published!${week}`;

/**
 * Publishes each finished ISO week's KPIs once, as `kpi.weekly` on the `incidents` stream: after
 * every incident message of that week (same stream, in order), under the incidents' delivery
 * guarantees (never shed for alerts). The "published" mark is written in the same batch as the
 * message, so a crash never sends a week twice nor skips one. Decisions taken after a week was
 * published still update its day rollups; they are not re-sent.
 */
export class KpiWeeklyPublisher implements Component {
  readonly name = "kpi-weekly-publisher";
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: { database: Database; outbox: Outbox; weekly: Pick<KpiRollupStore, "weeks">; intervalMs: number; log: Logger; now?: () => number },
  ) {}

  async start(): Promise<void> {
    const tick = () => {
      this.running ??= this.publishDue()
        .catch((err: unknown) => this.deps.log.error({ err }, "weekly KPIs not published"))
        .finally(() => {
          this.running = undefined;
        });
    };
    this.timer = setInterval(tick, this.deps.intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Publishes every finished week not yet published, oldest first; returns their keys. */
  async publishDue(): Promise<string[]> {
    const now = (this.deps.now ?? Date.now)();
    const { meta } = this.deps.database.sublevels;
    const sent: string[] = [];
    for (const week of this.deps.weekly.weeks()) {
      if (Date.parse(week.to) > now) continue;
      if ((await meta.get(publishedKey(week.week))) !== undefined) continue;
      await this.deps.outbox.append("incidents", "kpi.weekly", week, [{ type: "put", sublevel: meta, key: publishedKey(week.week), value: new Date(now).toISOString() }]);
      this.deps.log.info({ week: week.week, incidents: week.total }, "weekly KPIs published");
      sent.push(week.week);
    }
    return sent;
  }
}
