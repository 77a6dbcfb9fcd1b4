// The memory watch raises memory.degraded once per episode, and its report feeds health.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryWatch } from "../../src/health/memory-watch.js";
import { capturingLogger } from "../helpers/capturing-logger.js";

const MIB = 2 ** 20;

void describe("memory watch", () => {
  void it("one alert when RSS crosses the budget, none while it stays above, another after it was fine", async () => {
    let rss = 100 * MIB;
    let now = 0;
    const alerts: Array<Record<string, unknown>> = [];
    const usage = (): NodeJS.MemoryUsage => ({
      rss,
      heapTotal: 0,
      heapUsed: 40 * MIB,
      external: 5 * MIB,
      arrayBuffers: 0,
    });
    const watch = new MemoryWatch(
      {
        budgetBytes: 200 * MIB,
        maxSlopeMiBPerMin: 1_000,
        sustainedMs: 60_000,
        windowMs: 3_600_000,
        intervalMs: 30_000,
      },
      async (_type, data) => alerts.push(data),
      capturingLogger().log,
      usage,
      () => now,
    );
    const step = (mib: number): void => {
      now += 30_000;
      rss = mib * MIB;
      watch.sample();
    };
    for (const mib of [100, 150, 250, 260, 300, 150, 150, 240]) step(mib);
    assert.equal(alerts.length, 2);
    assert.equal(alerts[0]?.rss_bytes, 250 * MIB);
    assert.equal(alerts[1]?.rss_bytes, 240 * MIB);
    assert.equal(watch.report().heap_used_bytes, 40 * MIB);
    assert.equal(watch.reasons().length, 1);
    assert.equal(watch.report().window_s, 3600);
  });
});
