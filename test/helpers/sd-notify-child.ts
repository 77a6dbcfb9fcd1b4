/**
 * A stand-in daemon for the sd_notify integration test: the real notifier, watchdog and ready
 * reporter, with a fake readiness check and fake loops the test drives through stdin:
 *   ready        the readiness check passes from now on
 *   block <ms>   blocks the event loop for <ms> (a busy loop)
 *   stall        the "pipeline" loop stays busy but stops advancing
 *   unstall      it advances again
 * SIGTERM sends STOPPING=1 and exits 0. stdout carries the pino log and {"marker": ...} lines.
 */
import { createInterface } from "node:readline";
import { createLogger } from "../../src/core/logger.js";
import { ReadinessRegistry } from "../../src/health/readiness.js";
import { SdNotifier } from "../../src/health/sd-notify.js";
import { ReadyReporter } from "../../src/health/sd-notify-ready.js";
import { Watchdog } from "../../src/health/watchdog.js";

const mark = (marker: string): void => {
  // A pipe write is synchronous on Linux: the marker is out before a block that follows it.
  process.stdout.write(`${JSON.stringify({ marker })}\n`);
};

const log = createLogger({ level: "debug" });
const notifier = new SdNotifier({ env: process.env, pid: process.pid, log: log.child({ component: "sd-notify" }) });
const watchdog = new Watchdog({
  env: process.env,
  pid: process.pid,
  notifier,
  log: log.child({ component: "watchdog" }),
});

let frames = 0;
let stalled = false;
// A loop that always has work (like a scheduler fed by cameras): it must keep advancing.
const pipeline = setInterval(() => {
  if (!stalled) frames += 1;
}, 50);
watchdog.register("pipeline", () => frames);
// A loop with nothing to do (no broker configured): never advances, never starves the watchdog.
watchdog.register("uplink", () => 0, { busy: () => false });

let warm = false;
const readiness = new ReadinessRegistry();
readiness.add("warmup", () => (warm ? undefined : "warming up"));
const reporter = new ReadyReporter({
  evaluate: () => readiness.evaluate(),
  notifier,
  log: log.child({ component: "sd-ready" }),
  pollMs: 100,
});

process.once("SIGTERM", () => {
  notifier.stopping();
  clearInterval(pipeline);
  void Promise.all([reporter.stop(), watchdog.stop()])
    .then(() => notifier.flush())
    .then(() => {
      mark("stopped");
      process.exit(0);
    });
});

createInterface({ input: process.stdin }).on("line", (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === "ready") {
    warm = true;
    mark("ready-set");
  } else if (command === "block") {
    mark("block-start");
    const until = performance.now() + Number(arg);
    while (performance.now() < until) {
      // the event loop is blocked on purpose
    }
    mark("block-end");
  } else if (command === "stall") {
    stalled = true;
    mark("stalled");
  } else if (command === "unstall") {
    stalled = false;
    mark("unstalled");
  }
});

await watchdog.start();
await reporter.start();
mark("started");
