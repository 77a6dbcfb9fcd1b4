import { PeriodicTask } from "../core/periodic-task.js";
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
  private readonly beat: PeriodicTask;

  constructor(
    private readonly deps: {
      database: Database;
      outbox: Outbox;
      weekly: Pick<KpiRollupStore, "weeks">;
      intervalMs: number;
      log: Logger;
      now?: () => number;
    },
  ) {
    this.beat = new PeriodicTask(
      deps.intervalMs,
      async () => {
        await this.publishDue();
      },
      (err) => this.deps.log.error({ err }, "weekly KPIs not published"),
    );
  }

  async start(): Promise<void> {
    await this.beat.start({ first: "background" });
  }

  async stop(): Promise<void> {
    await this.beat.stop();
  }

  /** Publishes every finished week not yet published, oldest first; returns their keys. */
  async publishDue(): Promise<string[]> {
    const now = (this.deps.now ?? Date.now)();
    const { meta } = this.deps.database.sublevels;
    const sent: string[] = [];
    for (const week of this.deps.weekly.weeks()) {
      if (Date.parse(week.to) > now) continue;
      if ((await meta.get(publishedKey(week.week))) !== undefined) continue;
      await this.deps.outbox.append("incidents", "kpi.weekly", week, [
        { type: "put", sublevel: meta, key: publishedKey(week.week), value: new Date(now).toISOString() },
      ]);
      this.deps.log.info({ week: week.week, incidents: week.total }, "weekly KPIs published");
      sent.push(week.week);
    }
    return sent;
  }
}
