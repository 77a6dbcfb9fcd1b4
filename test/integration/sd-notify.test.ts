// The sd_notify path for real: a child process runs the notifier, the progress watchdog and the
// ready reporter, and talks through /usr/bin/systemd-notify to a unix datagram socket standing in
// for systemd's. WATCHDOG_USEC is 1 s, so a ping is due every 500 ms.
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { listenNotifySocket, type NotifyMessage, type NotifySocket } from "../helpers/notify-socket.js";

const WATCHDOG_MS = 1000;
const CHILD = join(import.meta.dirname, "..", "helpers", "sd-notify-child.js");
/** A ping the child spawned just before it blocked can still land a little after the block began. */
const IN_FLIGHT_MS = 400;

interface Line {
  readonly at: number;
  readonly marker?: string;
  readonly msg?: string;
  readonly reasons?: string[];
  readonly stalled?: string[];
}

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly lines: Line[];
  waitLine(pred: (l: Line) => boolean, timeoutMs: number, from?: number): Promise<Line>;
  /** Writes a command and waits for the marker the child prints for it. */
  command(text: string, marker: string, timeoutMs?: number): Promise<Line>;
  readonly exited: Promise<number | string>;
}

function startChild(env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (s: string) => (stderr += s));
  createInterface({ input: child.stdout }).on("line", (text) => {
    try {
      lines.push({ ...(JSON.parse(text) as object), at: performance.now() });
    } catch {
      lines.push({ msg: text, at: performance.now() });
    }
    for (const w of waiters) w();
  });
  const exited = new Promise<number | string>((r) => child.once("exit", (code, sig) => r(code ?? sig ?? "unknown")));
  const waitLine = (pred: (l: Line) => boolean, timeoutMs: number, from = 0): Promise<Line> =>
    new Promise((res, rej) => {
      const check = (): boolean => {
        const hit = lines.slice(from).find(pred);
        if (!hit) return false;
        waiters.delete(onLine);
        clearTimeout(timer);
        res(hit);
        return true;
      };
      const onLine = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(onLine);
        rej(new Error(`child line not seen within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      if (!check()) waiters.add(onLine);
    });
  return {
    process: child,
    lines,
    waitLine,
    command: (text, marker, timeoutMs = 5000) => {
      const from = lines.length;
      child.stdin.write(`${text}\n`);
      return waitLine((l) => l.marker === marker, timeoutMs, from);
    },
    exited,
  };
}

const isPing = (m: NotifyMessage): boolean => m.fields.WATCHDOG === "1";
const pingsBetween = (socket: NotifySocket, from: number, to: number): NotifyMessage[] =>
  socket.messages.filter((m) => isPing(m) && m.at > from && m.at <= to);
const withheld = (l: Line): boolean => l.msg?.startsWith("watchdog ping withheld") === true;

void describe("sd_notify through systemd-notify, with the progress watchdog", () => {
  let dir: string;
  let socket: NotifySocket;
  let child: Child;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-notify-"));
    socket = await listenNotifySocket(join(dir, "notify.sock"));
    child = startChild({ NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: String(WATCHDOG_MS * 1000) });
    await child.waitLine((l) => l.marker === "started", 10_000);
  });
  after(async () => {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill("SIGKILL");
      await child.exited;
    }
    await socket?.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it("says why it is not ready in STATUS=, and sends READY=1 only after readiness turns true", async () => {
    const starting = await socket.waitFor((m) => m.fields.STATUS?.includes("warming up") === true, 5000);
    assert.equal(starting.fields.READY, undefined);
    // Not ready for a while, with the watchdog running meanwhile: READY must not come.
    await sleep(1000);
    assert.equal(
      socket.messages.filter((m) => m.fields.READY !== undefined).length,
      0,
      "READY=1 before the daemon was ready",
    );
    // A ping would arm systemd's watchdog during start-up, where TimeoutStartSec= should rule.
    assert.equal(socket.messages.filter(isPing).length, 0, "WATCHDOG=1 before READY=1");

    const readySet = await child.command("ready", "ready-set");
    const ready = await socket.waitFor((m) => m.fields.READY === "1", 3000);
    assert.ok(ready.at > readySet.at, "READY=1 arrived before readiness turned true");
    assert.equal(ready.fields.STATUS, "ready");
    // --pid: systemd-notify names the daemon, not itself, as the main PID.
    assert.equal(ready.fields.MAINPID, String(child.process.pid));
    assert.equal(socket.messages.filter((m) => m.fields.READY !== undefined).length, 1);
  });

  void it("pings WATCHDOG=1 every half interval while the loops progress, an idle loop notwithstanding", async () => {
    const from = performance.now();
    await sleep(2 * WATCHDOG_MS);
    const pings = pingsBetween(socket, from, performance.now());
    assert.ok(pings.length >= 3 && pings.length <= 5, `expected about 4 pings in 2 s, got ${pings.length}`);
    for (let i = 1; i < pings.length; i++) {
      const gap = (pings[i] as NotifyMessage).at - (pings[i - 1] as NotifyMessage).at;
      assert.ok(gap < WATCHDOG_MS, `gap of ${Math.round(gap)} ms between pings`);
    }
    assert.equal(child.lines.filter(withheld).length, 0);
  });

  void it("stops pinging while the event loop is blocked, logs why, and resumes after", async () => {
    const logFrom = child.lines.length;
    const start = await child.command("block 2000", "block-start");
    const end = await child.waitLine((l) => l.marker === "block-end", 5000);
    assert.deepEqual(
      pingsBetween(socket, start.at + IN_FLIGHT_MS, end.at),
      [],
      "pinged while the event loop was blocked",
    );
    // The tick that runs right after the block sees the lag and withholds that ping too.
    const log = await child.waitLine(withheld, 2000, logFrom);
    assert.match(log.reasons?.[0] ?? "", /event loop blocked for \d+ ms/);
    const resumed = await socket.waitFor((m) => isPing(m) && m.at > end.at, 3000);
    const before = socket.messages.filter((m) => isPing(m) && m.at <= start.at + IN_FLIGHT_MS).at(-1);
    assert.ok(before, "no ping before the block");
    // Longer than WATCHDOG_USEC: systemd would have restarted this daemon.
    assert.ok(resumed.at - before.at > WATCHDOG_MS, `pings only ${Math.round(resumed.at - before.at)} ms apart`);
    await child.waitLine((l) => l.msg === "watchdog pings resumed", 2000, logFrom);
  });

  void it("stops pinging when a busy loop stops advancing, naming that loop, and resumes when it moves", async () => {
    const logFrom = child.lines.length;
    const stalled = await child.command("stall", "stalled");
    const log = await child.waitLine(withheld, 4000, logFrom);
    assert.deepEqual(log.stalled, ["pipeline"]);
    assert.match(log.reasons?.[0] ?? "", /^pipeline: busy without progress for \d+ ms \(limit 1000 ms\)$/);
    // Never before stallAfterMs (the interval) of observed busy-without-progress (less a little
    // for the two lines' different trips through the pipe).
    assert.ok(log.at - stalled.at >= WATCHDOG_MS - 50, `stall reported after ${Math.round(log.at - stalled.at)} ms`);
    await sleep(WATCHDOG_MS);
    assert.deepEqual(
      pingsBetween(socket, log.at + IN_FLIGHT_MS, performance.now()),
      [],
      "pinged while pipeline was stalled",
    );
    const unstalled = await child.command("unstall", "unstalled");
    await socket.waitFor((m) => isPing(m) && m.at > unstalled.at, 3000);
  });

  void it("sends STOPPING=1 on SIGTERM and exits 0", async () => {
    const from = socket.messages.length;
    child.process.kill("SIGTERM");
    const stopping = await socket.waitFor((m) => m.fields.STOPPING === "1", 5000, from);
    assert.equal(stopping.fields.STATUS, "stopping");
    assert.equal(await child.exited, 0);
  });
});
