// The watchdog's decision: when a work loop counts as stalled, and when a ping goes out. Checked
// against a reference model of "busy and unchanged for stallAfterMs", plus the component itself
// with a fake notifier.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { Watchdog } from "../../src/health/watchdog.js";
import {
  decideTick,
  judgeSource,
  type ProgressSample,
  type SourceMemory,
  type SourceVerdict,
} from "../../src/health/watchdog-policy.js";
import { capturingLogger } from "../helpers/capturing-logger.js";

interface Step {
  readonly dt: number;
  readonly sample: ProgressSample;
}

const okSample = fc.record({
  ok: fc.constant(true as const),
  value: fc.integer({ min: 0, max: 3 }),
  busy: fc.boolean(),
});
const failedSample = fc.record({ ok: fc.constant(false as const), error: fc.constantFrom("boom", "closed") });
const stepsArb = fc.array(
  fc.record({
    dt: fc.integer({ min: 1, max: 3000 }),
    sample: fc.oneof({ weight: 9, arbitrary: okSample }, { weight: 1, arbitrary: failedSample }),
  }),
  { minLength: 1, maxLength: 60 },
);
const stallArb = fc.integer({ min: 1, max: 8000 });

/** Runs judgeSource over the steps; returns each step's time and verdict. */
function run(steps: readonly Step[], stallAfterMs: number): { t: number; verdict: SourceVerdict }[] {
  let memory: SourceMemory | undefined;
  let t = 0;
  return steps.map((step) => {
    t += step.dt;
    const out = judgeSource(memory, step.sample, t, stallAfterMs);
    memory = out.memory;
    return { t, verdict: out.verdict };
  });
}

/**
 * The reference: over the successful samples only, a step is stalled iff it ends a run of samples
 * that were all busy with the value unchanged from the sample before the run, and that run began
 * at least stallAfterMs ago.
 */
function modelStalled(steps: readonly Step[], stallAfterMs: number): boolean[] {
  const out: boolean[] = [];
  let t = 0;
  let previous: number | undefined;
  let runStart: number | undefined;
  for (const { dt, sample } of steps) {
    t += dt;
    if (!sample.ok) {
      out.push(false);
      continue;
    }
    if (previous !== undefined && sample.value === previous && sample.busy) runStart ??= t;
    else runStart = undefined;
    previous = sample.value;
    out.push(runStart !== undefined && t - runStart >= stallAfterMs);
  }
  return out;
}

void describe("judgeSource", () => {
  void it("matches the reference model: stalled exactly when busy and unchanged for stallAfterMs", () => {
    fc.assert(
      fc.property(stepsArb, stallArb, (steps, stallAfterMs) => {
        const verdicts = run(steps, stallAfterMs);
        const model = modelStalled(steps, stallAfterMs);
        verdicts.forEach(({ verdict }, i) => {
          const step = steps[i] as Step;
          if (!step.sample.ok) assert.equal(verdict.kind, "failed");
          else assert.equal(verdict.kind === "stalled", model[i], `step ${i}: ${JSON.stringify(verdict)}`);
        });
      }),
    );
  });

  void it("a loop that is never busy never stalls, whatever its counter does", () => {
    fc.assert(
      fc.property(stepsArb, stallArb, (steps, stallAfterMs) => {
        const idle = steps.map((s) => (s.sample.ok ? { ...s, sample: { ...s.sample, busy: false } } : s));
        for (const { verdict } of run(idle, stallAfterMs))
          assert.ok(verdict.kind !== "stalled" && verdict.kind !== "waiting");
      }),
    );
  });

  void it("a loop whose counter moves at every sample never stalls, however busy", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60_000 }), { minLength: 1, maxLength: 60 }),
        stallArb,
        (dts, stallAfterMs) => {
          const steps = dts.map((dt, i) => ({ dt, sample: { ok: true as const, value: i, busy: true } }));
          for (const { verdict } of run(steps, stallAfterMs)) assert.equal(verdict.kind, "advanced");
        },
      ),
    );
  });

  void it("a counter that goes backwards (a rebuilt part) counts as progress", () => {
    const first = judgeSource(undefined, { ok: true, value: 10, busy: true }, 0, 100);
    const after = judgeSource(first.memory, { ok: true, value: 0, busy: true }, 500, 100);
    assert.equal(after.verdict.kind, "advanced");
  });

  void it("the stall clock starts at the first busy-and-unchanged sample, not at the last advance", () => {
    let m = judgeSource(undefined, { ok: true, value: 1, busy: false }, 0, 1000).memory;
    // Idle for a long time, then work arrives just before this sample: waiting, not stalled.
    const first = judgeSource(m, { ok: true, value: 1, busy: true }, 60_000, 1000);
    assert.deepEqual(first.verdict, { kind: "waiting", stuckForMs: 0 });
    m = first.memory;
    assert.deepEqual(judgeSource(m, { ok: true, value: 1, busy: true }, 60_999, 1000).verdict, {
      kind: "waiting",
      stuckForMs: 999,
    });
    assert.deepEqual(judgeSource(m, { ok: true, value: 1, busy: true }, 61_000, 1000).verdict, {
      kind: "stalled",
      stuckForMs: 1000,
    });
  });
});

void describe("decideTick", () => {
  const verdictArb: fc.Arbitrary<SourceVerdict> = fc.oneof(
    fc.constant({ kind: "advanced" as const }),
    fc.constant({ kind: "idle" as const }),
    fc.nat(5000).map((ms) => ({ kind: "waiting" as const, stuckForMs: ms })),
    fc.nat(5000).map((ms) => ({ kind: "stalled" as const, stuckForMs: ms })),
    fc.constant({ kind: "failed" as const, error: "boom" }),
  );

  void it("pings iff the loop lag is within bound and no source stalled or failed; names each culprit", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(verdictArb, { maxLength: 8 }),
        (lagMs, maxLagMs, verdicts) => {
          const sources = verdicts.map((verdict, i) => ({ name: `s${i}`, verdict, stallAfterMs: 1000 }));
          const d = decideTick({ lagMs, maxLagMs, sources });
          const culprits = sources
            .filter((s) => s.verdict.kind === "stalled" || s.verdict.kind === "failed")
            .map((s) => s.name);
          assert.equal(d.ping, lagMs <= maxLagMs && culprits.length === 0);
          assert.deepEqual(d.stalled, culprits);
          assert.equal(d.reasons.length, (lagMs > maxLagMs ? 1 : 0) + culprits.length);
          if (d.ping) assert.deepEqual(d.reasons, []);
        },
      ),
    );
  });

  void it("a NaN lag (no measurement) never counts as healthy", () => {
    assert.equal(decideTick({ lagMs: Number.NaN, maxLagMs: 500, sources: [] }).ping, false);
  });
});

interface LogLine {
  level: string;
  msg: string;
  reasons?: string[];
  stalled?: string[];
  problem?: string;
}

void describe("Watchdog (component, fake notifier, WATCHDOG_USEC=100 ms)", () => {
  const env = { WATCHDOG_USEC: "100000" };
  // A generous lag bound: these tests are about sources, not about a busy CI machine's loop.
  const maxLagMs = 10_000;

  void it("pings while sources advance or idle, withholds when a busy source stalls, and logs which", async () => {
    const { log, lines } = capturingLogger<LogLine>();
    let pings = 0;
    let frames = 0;
    let frozen = false;
    const w = new Watchdog({ env, pid: process.pid, notifier: { watchdog: () => (pings += 1) }, log, maxLagMs });
    w.register("frames", () => (frozen ? frames : ++frames), { stallAfterMs: 100 });
    w.register("writes", () => 0, { busy: () => false });
    await w.start();
    try {
      await sleep(300);
      assert.ok(pings >= 3, `only ${pings} pings while healthy`);
      frozen = true;
      await sleep(350);
      const at = pings;
      await sleep(300);
      assert.equal(pings, at, "pinged while a busy source was stalled");
      const warn = lines.find((l) => l.msg.startsWith("watchdog ping withheld"));
      assert.deepEqual(warn?.stalled, ["frames"]);
      assert.equal(
        lines.filter((l) => l.msg.startsWith("watchdog ping withheld")).length,
        1,
        "logged once per cause, not per tick",
      );
      assert.equal(w.state.last?.ping, false);
      frozen = false;
      await sleep(200);
      assert.ok(pings > at, "pings did not resume");
      assert.ok(lines.some((l) => l.msg === "watchdog pings resumed"));
    } finally {
      await w.stop();
    }
  });

  void it("a probe that throws withholds the ping and says so", async () => {
    const { log, lines } = capturingLogger<LogLine>();
    let pings = 0;
    const w = new Watchdog({ env, pid: process.pid, notifier: { watchdog: () => (pings += 1) }, log, maxLagMs });
    w.register("broken", () => {
      throw new Error("store closed");
    });
    await w.start();
    await sleep(250);
    await w.stop();
    assert.equal(pings, 0);
    assert.match(
      lines.find((l) => l.msg.startsWith("watchdog ping withheld"))?.reasons?.[0] ?? "",
      /broken: progress probe failed: store closed/,
    );
  });

  void it("stays off without WATCHDOG_USEC, and off with a warning when WATCHDOG_PID is another process", async () => {
    for (const [e, warns] of [
      [{}, false],
      [{ ...env, WATCHDOG_PID: String(process.pid + 1) }, true],
    ] as const) {
      const { log, lines } = capturingLogger<LogLine>();
      let pings = 0;
      const w = new Watchdog({ env: e, pid: process.pid, notifier: { watchdog: () => (pings += 1) }, log });
      await w.start();
      await sleep(150);
      await w.stop();
      assert.equal(pings, 0);
      assert.equal(w.state.enabled, false);
      assert.equal(
        lines.some((l) => l.level === "warn" && /not this process/.test(l.problem ?? "")),
        warns,
      );
    }
  });

  void it("refuses the same source name twice", () => {
    const w = new Watchdog({
      env,
      pid: process.pid,
      notifier: { watchdog: () => {} },
      log: capturingLogger<LogLine>().log,
    });
    w.register("a", () => 0);
    assert.throws(() => w.register("a", () => 0), /registered twice/);
  });
});
