// sd_notify without libsystemd: the systemd-notify argv (no field injection), the watchdog
// environment as sd_watchdog_enabled reads it, the notifier's ordering and failure handling (with
// a fake systemd-notify), and READY=1 only when ready.
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import type { Readiness } from "../../src/health/readiness.js";
import { MAX_NOTIFY_VALUE_CHARS, notifyArgs, sanitizeNotifyValue } from "../../src/health/sd-notify-args.js";
import { SdNotifier } from "../../src/health/sd-notify.js";
import { ReadyReporter, statusFor } from "../../src/health/sd-notify-ready.js";
import { watchdogFromEnv } from "../../src/health/watchdog-env.js";
import { capturingLogger } from "../helpers/capturing-logger.js";

interface LogLine {
  level: string;
  msg: string;
}

async function until(pred: () => boolean, timeoutMs = 2000): Promise<void> {
  for (const t0 = performance.now(); !pred(); await sleep(5)) {
    if (performance.now() - t0 > timeoutMs) assert.fail("condition not reached in time");
  }
}

void describe("notifyArgs", () => {
  void it("builds the systemd-notify argv: --pid, then the fields after --", () => {
    assert.deepEqual(
      notifyArgs(4242, [
        ["READY", "1"],
        ["STATUS", "ready: 4 cameras"],
      ]),
      ["--pid=4242", "--", "READY=1", "STATUS=ready: 4 cameras"],
    );
    assert.deepEqual(notifyArgs(1, [["WATCHDOG", "1"]]), ["--pid=1", "--", "WATCHDOG=1"]);
    assert.deepEqual(notifyArgs(7, [["STATUS", "-x looks like an option"]]), [
      "--pid=7",
      "--",
      "STATUS=-x looks like an option",
    ]);
  });

  void it("refuses bad field names, an empty message and a bad pid", () => {
    for (const key of ["", "ready", "READY=1", "A B", "1A", "STATUS\nREADY"])
      assert.throws(() => notifyArgs(1, [[key, "1"]]), /field name/);
    assert.throws(() => notifyArgs(1, []), /empty/);
    for (const pid of [0, -1, 1.5, Number.NaN]) assert.throws(() => notifyArgs(pid, [["READY", "1"]]), /pid/);
  });

  void it("a value can never carry a second field: no control characters, bounded length", () => {
    assert.deepEqual(notifyArgs(1, [["STATUS", "camera x\nREADY=1"]]), ["--pid=1", "--", "STATUS=camera x READY=1"]);
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 1000 }), (value) => {
        const clean = sanitizeNotifyValue(value);
        assert.doesNotMatch(clean, /[\u0000-\u001f\u007f]/);
        assert.ok(Array.from(clean).length <= MAX_NOTIFY_VALUE_CHARS);
        assert.equal(clean.trim(), clean);
        // No lone surrogate from cutting a pair in half.
        assert.doesNotMatch(clean, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }),
    );
  });
});

void describe("watchdogFromEnv (sd_watchdog_enabled)", () => {
  const pid = 1234;
  void it("is on with WATCHDOG_USEC alone, or with WATCHDOG_PID naming this process", () => {
    assert.deepEqual(watchdogFromEnv({ WATCHDOG_USEC: "30000000" }, pid), { enabled: true, intervalMs: 30_000 });
    assert.deepEqual(watchdogFromEnv({ WATCHDOG_USEC: "2000000", WATCHDOG_PID: "1234" }, pid), {
      enabled: true,
      intervalMs: 2000,
    });
  });

  void it("is off without WATCHDOG_USEC, and off with the problem named when it cannot be honoured", () => {
    assert.deepEqual(watchdogFromEnv({}, pid), { enabled: false });
    assert.deepEqual(watchdogFromEnv({ WATCHDOG_USEC: "" }, pid), { enabled: false });
    for (const usec of ["0", "-5", "1.5", "30s", " 30", "99999999999999999999"]) {
      const s = watchdogFromEnv({ WATCHDOG_USEC: usec }, pid);
      assert.equal(s.enabled, false);
      assert.match(s.enabled ? "" : (s.problem ?? ""), /WATCHDOG_USEC/);
    }
    const other = watchdogFromEnv({ WATCHDOG_USEC: "1000000", WATCHDOG_PID: "99" }, pid);
    assert.equal(other.enabled, false);
    assert.match(other.enabled ? "" : (other.problem ?? ""), /not this process/);
    assert.equal(watchdogFromEnv({ WATCHDOG_USEC: "1000000", WATCHDOG_PID: "x" }, pid).enabled, false);
  });
});

void describe("SdNotifier", () => {
  void it("does nothing at all without NOTIFY_SOCKET", async () => {
    const { log, lines } = capturingLogger<LogLine>();
    const n = new SdNotifier({ env: {}, pid: process.pid, log, command: "/nonexistent/systemd-notify" });
    assert.equal(n.enabled, false);
    n.ready("ready");
    n.status("x");
    n.watchdog();
    n.stopping();
    await n.flush();
    assert.deepEqual(lines, []);
  });

  void it("sends in order through the command, pings only after READY, coalesces waiting pings and statuses, and goes quiet after STOPPING", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-sdnotify-"));
    try {
      const out = join(dir, "calls");
      const fake = join(dir, "systemd-notify");
      // Each call: its NOTIFY_SOCKET and argv on one line; a little slow, so later calls queue.
      await writeFile(fake, `#!/bin/sh\nsleep 0.05\necho "$NOTIFY_SOCKET $*" >> '${out}'\n`);
      await chmod(fake, 0o755);
      const { log, lines } = capturingLogger<LogLine>();
      const n = new SdNotifier({ env: { NOTIFY_SOCKET: "/run/test.sock", SECRET: "x" }, pid: 77, log, command: fake });
      // Before READY=1 a ping would arm systemd's watchdog during start-up: held back.
      n.watchdog();
      n.ready("ok");
      n.status("a");
      n.status("b");
      n.watchdog();
      n.watchdog();
      n.stopping();
      n.watchdog();
      n.ready();
      n.status("bye");
      await n.flush();
      const calls = (await readFile(out, "utf8")).trim().split("\n");
      assert.deepEqual(calls, [
        // "a" and "b" were still waiting when newer statuses came: only the newest is sent, last.
        "/run/test.sock --pid=77 -- READY=1 STATUS=ok",
        "/run/test.sock --pid=77 -- WATCHDOG=1",
        "/run/test.sock --pid=77 -- STOPPING=1 STATUS=stopping",
        "/run/test.sock --pid=77 -- STATUS=bye",
      ]);
      assert.deepEqual(lines, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it("never throws when systemd-notify is missing or fails, and logs that once", async () => {
    for (const command of ["/nonexistent/systemd-notify", "/bin/false"]) {
      const { log, lines } = capturingLogger<LogLine>();
      const n = new SdNotifier({ env: { NOTIFY_SOCKET: "/run/none.sock" }, pid: process.pid, log, command });
      n.ready();
      n.watchdog();
      await n.flush();
      n.status("again");
      await n.flush();
      const warns = lines.filter((l) => l.level === "warn");
      assert.equal(warns.length, 1, `${command}: ${JSON.stringify(lines)}`);
      assert.match(warns[0]?.msg ?? "", /sd_notify failed/);
    }
  });

  void it("gives up on a systemd-notify that hangs (a manager that never answers the barrier)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-sdnotify-"));
    try {
      const fake = join(dir, "systemd-notify");
      await writeFile(fake, "#!/bin/sh\nexec sleep 30\n");
      await chmod(fake, 0o755);
      const { log, lines } = capturingLogger<LogLine>();
      const n = new SdNotifier({
        env: { NOTIFY_SOCKET: "/run/none.sock" },
        pid: process.pid,
        log,
        command: fake,
        timeoutMs: 100,
      });
      const t0 = performance.now();
      n.status("starting");
      await n.flush();
      assert.ok(performance.now() - t0 < 2000);
      assert.equal(lines.filter((l) => l.level === "warn").length, 1);
      assert.match(JSON.stringify(lines), /did not finish within 100 ms/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A notifier that records what it was asked to send. */
function recordingNotifier(): { calls: string[]; ready(status?: string): void; status(text: string): void } {
  const calls: string[] = [];
  return { calls, ready: (s) => calls.push(`READY ${s ?? ""}`), status: (t) => calls.push(`STATUS ${t}`) };
}

void describe("ReadyReporter", () => {
  const notReady = (...reasons: [string, string][]): Readiness => ({
    ready: false,
    reasons: reasons.map(([check, reason]) => ({ check, reason })),
  });
  const ready: Readiness = { ready: true, reasons: [] };

  void it("formats STATUS= from the readiness reasons", () => {
    assert.equal(
      statusFor(notReady(["store", "store is not open"], ["model", "model m is not loaded"]), false, "ready"),
      "starting: store: store is not open; model: model m is not loaded",
    );
    assert.equal(statusFor(notReady(["cameras", "lobby"]), true, "ready"), "degraded: cameras: lobby");
    assert.equal(statusFor(ready, true, "ready: 2 cameras"), "ready: 2 cameras");
  });

  void it("sends STATUS= while not ready (only on change), READY=1 once when ready, and keeps STATUS= current after", async () => {
    const notifier = recordingNotifier();
    let current = notReady(["store", "store is not open"]);
    let readyCalls = 0;
    const r = new ReadyReporter({
      evaluate: () => current,
      notifier,
      log: capturingLogger<LogLine>().log,
      pollMs: 5,
      onReady: () => (readyCalls += 1),
    });
    await r.start();
    try {
      await sleep(40);
      assert.deepEqual(notifier.calls, ["STATUS starting: store: store is not open"]);
      current = notReady(["model", "loading"]);
      await until(() => notifier.calls.length === 2);
      assert.equal(r.isReady, false);
      current = ready;
      await until(() => r.isReady);
      await sleep(30);
      assert.deepEqual(notifier.calls.slice(2), ["READY ready"]);
      current = notReady(["cameras", "lobby offline"]);
      await until(() => notifier.calls.length === 4);
      current = ready;
      await until(() => notifier.calls.length === 5);
      assert.deepEqual(notifier.calls.slice(3), ["STATUS degraded: cameras: lobby offline", "STATUS ready"]);
      assert.equal(notifier.calls.filter((c) => c.startsWith("READY")).length, 1);
      assert.equal(readyCalls, 1);
    } finally {
      await r.stop();
    }
  });

  void it("with degradedAfter, reports ready after the grace only when every failing check is an external one", async () => {
    const notifier = recordingNotifier();
    const { log, lines } = capturingLogger<LogLine>();
    let current = notReady(["store", "store is not open"], ["cameras", "not started yet: lobby"]);
    const infos: { degraded: boolean }[] = [];
    const r = new ReadyReporter({
      evaluate: () => current,
      notifier,
      log,
      pollMs: 5,
      degradedAfter: { ms: 30, checks: ["cameras"] },
      onReady: (i) => infos.push(i),
    });
    await r.start();
    try {
      await sleep(80);
      assert.equal(r.isReady, false, "the store is not an external check");
      current = notReady(["cameras", "not started yet: lobby"]);
      await until(() => r.isReady);
      assert.equal(notifier.calls.at(-1), "READY degraded: cameras: not started yet: lobby");
      assert.deepEqual(
        infos.map((i) => i.degraded),
        [true],
      );
      assert.ok(lines.some((l) => l.level === "warn"));
    } finally {
      await r.stop();
    }
  });

  void it("a readiness evaluation that throws counts as not ready", async () => {
    const notifier = recordingNotifier();
    const r = new ReadyReporter({
      evaluate: () => {
        throw new Error("boom");
      },
      notifier,
      log: capturingLogger<LogLine>().log,
      pollMs: 5,
    });
    await r.start();
    await sleep(20);
    await r.stop();
    assert.deepEqual(notifier.calls, ["STATUS starting: readiness: evaluation failed: boom"]);
  });
});
