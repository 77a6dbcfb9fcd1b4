// Start/stop ordering and the single idempotent shutdown path, plus the event bus's isolation of
// listener failures.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCodes, isVigilError } from "../../src/core/errors.js";
import { EventBus } from "../../src/core/event-bus.js";
import { Lifecycle, type Component } from "../../src/core/lifecycle.js";
import { capturingLogger } from "../helpers/capturing-logger.js";

interface LogLine {
  level: string;
  component?: string;
  msg: string;
}

/** Keeps a promise pending (with a ref'd timer, so the test process stays alive) until released. */
function hang(timers: NodeJS.Timeout[]): Promise<void> {
  return new Promise<void>((resolve) => {
    timers.push(setTimeout(resolve, 60_000));
  });
}

class Recorder implements Component {
  constructor(
    readonly name: string,
    private readonly events: string[],
    private readonly behaviour: { start?: () => Promise<void>; stop?: () => Promise<void> } = {},
  ) {}

  async start(): Promise<void> {
    this.events.push(`start:${this.name}`);
    await this.behaviour.start?.();
  }

  async stop(): Promise<void> {
    this.events.push(`stop:${this.name}`);
    await this.behaviour.stop?.();
  }
}

void describe("Lifecycle", () => {
  void it("starts in registration order and stops in reverse", async () => {
    const events: string[] = [];
    const lc = new Lifecycle(capturingLogger<LogLine>().log);
    for (const name of ["store", "outbox", "uplink", "http"]) lc.add(new Recorder(name, events));
    await lc.start();
    assert.deepEqual(events, ["start:store", "start:outbox", "start:uplink", "start:http"]);
    events.length = 0;
    await lc.stop();
    assert.deepEqual(events, ["stop:http", "stop:uplink", "stop:outbox", "stop:store"]);
  });

  void it("each start waits for the previous one to finish", async () => {
    const events: string[] = [];
    const lc = new Lifecycle(capturingLogger<LogLine>().log);
    lc.add(
      new Recorder("slow", events, {
        start: () => new Promise((r) => setTimeout(r, 30)).then(() => void events.push("slow-ready")),
      }),
    );
    lc.add(new Recorder("next", events));
    await lc.start();
    assert.deepEqual(events, ["start:slow", "slow-ready", "start:next"]);
    await lc.stop();
  });

  void it("stop is idempotent: every caller gets the same promise and each component stops once", async () => {
    const events: string[] = [];
    const lc = new Lifecycle(capturingLogger<LogLine>().log);
    lc.add(new Recorder("a", events, { stop: () => new Promise((r) => setTimeout(r, 10)) }));
    lc.add(new Recorder("b", events));
    await lc.start();
    assert.equal(lc.isStopping, false);
    const p1 = lc.stop();
    const p2 = lc.stop();
    assert.equal(p1, p2);
    assert.equal(lc.isStopping, true);
    await Promise.all([p1, p2, lc.stop()]);
    assert.equal(lc.stop(), p1);
    await lc.stop();
    assert.deepEqual(
      events.filter((e) => e.startsWith("stop:")),
      ["stop:b", "stop:a"],
    );
  });

  void it("a start failure stops the already-started components in reverse and rethrows the error", async () => {
    const events: string[] = [];
    const { log, lines } = capturingLogger<LogLine>();
    const lc = new Lifecycle(log);
    const boom = new Error("port in use");
    lc.add(new Recorder("store", events));
    lc.add(new Recorder("outbox", events));
    lc.add(new Recorder("http", events, { start: () => Promise.reject(boom) }));
    lc.add(new Recorder("never", events));
    await assert.rejects(lc.start(), (err) => err === boom);
    assert.deepEqual(events, ["start:store", "start:outbox", "start:http", "stop:outbox", "stop:store"]);
    assert.ok(lines.some((l) => l.level === "error" && l.component === "http"));
    assert.equal(lc.isStopping, true);
    // A later stop (say, from the signal handler) does not stop anything twice.
    await lc.stop();
    assert.equal(events.filter((e) => e === "stop:store").length, 1);
  });

  void it("a hanging stop is abandoned after stopTimeoutMs and the rest still stop", async (t) => {
    const timers: NodeJS.Timeout[] = [];
    t.after(() => timers.forEach(clearTimeout));
    const events: string[] = [];
    const { log, lines } = capturingLogger<LogLine>();
    const lc = new Lifecycle(log, { stopTimeoutMs: 50 });
    lc.add(new Recorder("store", events));
    lc.add(new Recorder("camera", events, { stop: () => hang(timers) }));
    lc.add(new Recorder("http", events));
    await lc.start();
    const t0 = performance.now();
    await lc.stop();
    const ms = performance.now() - t0;
    assert.deepEqual(events.slice(3), ["stop:http", "stop:camera", "stop:store"]);
    assert.ok(ms >= 45 && ms < 1000, `stop took ${ms} ms`);
    assert.ok(
      lines.some((l) => l.level === "error" && l.component === "camera"),
      "the abandoned component is logged",
    );
  });

  void it("a stop that throws is logged and the rest still stop", async () => {
    const events: string[] = [];
    const lc = new Lifecycle(capturingLogger<LogLine>().log);
    lc.add(new Recorder("a", events));
    lc.add(new Recorder("b", events, { stop: () => Promise.reject(new Error("already closed")) }));
    await lc.start();
    await lc.stop();
    assert.deepEqual(events.slice(2), ["stop:b", "stop:a"]);
  });

  void it("a hanging start fails with LIFECYCLE_TIMEOUT and stops what had started", async (t) => {
    const timers: NodeJS.Timeout[] = [];
    t.after(() => timers.forEach(clearTimeout));
    const events: string[] = [];
    const lc = new Lifecycle(capturingLogger<LogLine>().log, { startTimeoutMs: 50 });
    lc.add(new Recorder("store", events));
    lc.add(new Recorder("model", events, { start: () => hang(timers) }));
    lc.add(new Recorder("never", events));
    const t0 = performance.now();
    await assert.rejects(lc.start(), (err) => isVigilError(err, ErrorCodes.LIFECYCLE_TIMEOUT));
    assert.ok(performance.now() - t0 < 1000);
    assert.deepEqual(events, ["start:store", "start:model", "stop:store"]);
  });

  void it("a shutdown requested during start ends the start with SHUTTING_DOWN", async () => {
    const events: string[] = [];
    const lc = new Lifecycle(capturingLogger<LogLine>().log);
    let stopping: Promise<void> | undefined;
    lc.add(
      new Recorder("first", events, {
        start: async () => {
          stopping = lc.stop();
        },
      }),
    );
    lc.add(new Recorder("second", events));
    await assert.rejects(lc.start(), (err) => isVigilError(err, ErrorCodes.SHUTTING_DOWN));
    await stopping;
    assert.ok(!events.includes("start:second"));
  });
});

void describe("EventBus", () => {
  void it("a throwing listener does not stop the others, and its error reaches the sink", () => {
    const errors: [string, unknown][] = [];
    const bus = new EventBus<{ frame: number; other: string }>((event, err) => errors.push([String(event), err]));
    const seen: string[] = [];
    const boom = new Error("listener bug");
    bus.on("frame", (n) => seen.push(`a${n}`));
    bus.on("frame", () => {
      throw boom;
    });
    bus.on("frame", (n) => seen.push(`c${n}`));
    bus.emit("frame", 1);
    bus.emit("frame", 2);
    assert.deepEqual(seen, ["a1", "c1", "a2", "c2"]);
    assert.deepEqual(errors, [
      ["frame", boom],
      ["frame", boom],
    ]);
  });

  void it("without a sink a throwing listener is still contained", () => {
    const bus = new EventBus<{ x: number }>();
    let after = 0;
    bus.on("x", () => {
      throw new Error("x");
    });
    bus.on("x", () => (after += 1));
    assert.doesNotThrow(() => bus.emit("x", 1));
    assert.equal(after, 1);
  });

  void it("a listener added during an emit is called from the next emit on, not re-entrantly", () => {
    const bus = new EventBus<{ x: number }>();
    const seen: string[] = [];
    // Re-arming a one-shot listener from inside itself must not loop within a single emit.
    const arm = (): void => {
      const off = bus.on("x", (n) => {
        seen.push(`once${n}`);
        off();
        // (Bounded, so a re-entrant bus fails this test instead of hanging it.)
        if (seen.length < 10) arm();
      });
    };
    arm();
    bus.emit("x", 1);
    bus.emit("x", 2);
    assert.deepEqual(seen, ["once1", "once2"]);
    assert.equal(bus.listenerCount("x"), 1);
  });

  void it("unsubscribe removes only that listener, also during an emit", () => {
    const bus = new EventBus<{ x: number }>();
    const seen: string[] = [];
    const offB = bus.on("x", () => seen.push("b"));
    bus.on("x", () => {
      seen.push("a");
      offB();
    });
    bus.emit("x", 1);
    bus.emit("x", 2);
    assert.deepEqual(seen, ["b", "a", "a"]);
    assert.equal(bus.listenerCount("x"), 1);
    assert.equal(bus.listenerCount("other" as "x"), 0);
  });
});

void describe("Lifecycle: shutdown while a component is starting", () => {
  void it("the component still starting when stop() is called is stopped too, and before its dependencies", async () => {
    const events: string[] = [];
    const lc = new Lifecycle(capturingLogger<LogLine>().log);
    lc.add(new Recorder("store", events));
    lc.add(new Recorder("http", events, { start: () => new Promise((r) => setTimeout(r, 30)) }));
    const started = lc.start().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5));
    await lc.stop();
    await started;
    assert.deepEqual(events, ["start:store", "start:http", "stop:http", "stop:store"]);
  });
});
