import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { KeyedSerialQueue, SerialQueue } from "../../src/core/serial-queue.js";

const tick = () => new Promise<void>((r) => setImmediate(r));

void describe("serial queues", () => {
  void it("per key: tasks never overlap and run in call order, keys run side by side, failures stay with their caller, idle keys are forgotten", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            key: fc.integer({ min: 0, max: 3 }),
            ticks: fc.integer({ min: 0, max: 3 }),
            fails: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        async (tasks) => {
          const queue = new KeyedSerialQueue<number>();
          const running = new Map<number, number>();
          const order = new Map<number, number[]>();
          const results = tasks.map((t, i) =>
            queue.run(t.key, async () => {
              assert.equal(running.get(t.key) ?? 0, 0, `key ${t.key} ran two tasks at once`);
              running.set(t.key, 1);
              order.set(t.key, [...(order.get(t.key) ?? []), i]);
              for (let n = 0; n < t.ticks; n++) await tick();
              running.set(t.key, 0);
              if (t.fails) throw new Error(`task ${i}`);
              return i;
            }),
          );
          const settled = await Promise.allSettled(results);
          settled.forEach((s, i) => {
            if (tasks[i]?.fails) assert.equal(s.status === "rejected" && (s.reason as Error).message, `task ${i}`);
            else assert.deepEqual(s, { status: "fulfilled", value: i });
          });
          for (const [key, seen] of order)
            assert.deepEqual(
              seen,
              tasks.flatMap((t, i) => (t.key === key ? [i] : [])),
            );
          await queue.idle();
          assert.equal(queue.busyKeys, 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  void it("different keys do not wait for each other: a task can wait on another key's task", async () => {
    const queue = new KeyedSerialQueue<string>();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const a = queue.run("a", async () => {
      await gate;
      return "a";
    });
    const b = queue.run("b", async () => {
      open();
      return "b";
    });
    assert.deepEqual(await Promise.all([a, b]), ["a", "b"]);
  });

  void it("idle() waits for work queued while it waits", async () => {
    const queue = new SerialQueue();
    const done: string[] = [];
    void queue.run(async () => {
      await tick();
      done.push("first");
      void queue.run(async () => {
        await tick();
        done.push("queued later");
      });
    });
    await queue.idle();
    assert.deepEqual(done, ["first", "queued later"]);
  });
});
