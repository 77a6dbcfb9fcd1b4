import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { PeriodicTask } from "../../src/core/periodic-task.js";

void describe("periodic task", () => {
  void it("ticks on its beat, never two at once, and a failing tick does not stop the beat", async () => {
    let running = 0;
    let most = 0;
    let ticks = 0;
    const errors: unknown[] = [];
    const task = new PeriodicTask(
      5,
      async () => {
        running++;
        most = Math.max(most, running);
        ticks++;
        await sleep(12);
        running--;
        if (ticks === 2) throw new Error("second tick fails");
      },
      (err) => errors.push(err),
    );
    await task.start();
    await sleep(120);
    await task.stop();
    assert.equal(most, 1, "ticks overlapped");
    assert.ok(ticks >= 3, `${ticks} ticks`);
    assert.equal(errors.length, 1);
    const after = ticks;
    await sleep(30);
    assert.equal(ticks, after, "no tick after stop()");
  });

  void it("first: now runs and awaits a tick before start() returns; stop() waits for the tick in progress", async () => {
    const seen: string[] = [];
    const task = new PeriodicTask(60_000, async () => {
      await sleep(10);
      seen.push("tick");
    });
    await task.start({ first: "now" });
    assert.deepEqual(seen, ["tick"]);
    void task.runNow();
    await task.stop();
    assert.deepEqual(seen, ["tick", "tick"]);
    assert.equal(task.started, false);
  });

  void it("runNow() joins a tick in progress instead of starting a second", async () => {
    let ticks = 0;
    const task = new PeriodicTask(60_000, async () => {
      ticks++;
      await sleep(10);
    });
    await Promise.all([task.runNow(), task.runNow(), task.runNow()]);
    assert.equal(ticks, 1);
  });
});
