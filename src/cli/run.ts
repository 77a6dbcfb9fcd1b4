import { configPathFrom, loadConfig } from "../config/loader.js";
import { loadSecrets } from "../config/secrets.js";
import { exitCodeFor } from "../core/errors.js";
import { reloadPlan } from "../config/reload-plan.js";
import { createLogger, setLogLevel } from "../core/logger.js";
import { buildDaemon } from "../main.js";
import { fail } from "./output.js";

const SHUTDOWN_DEADLINE_MS = 20_000;

/** `vigil run`: validates everything first (exit 78 on config errors), then runs until a signal. */
export async function run(opts: { config?: string }): Promise<void> {
  const t0 = performance.now();
  const path = configPathFrom(opts.config, process.env);
  let config;
  let secrets;
  try {
    config = await loadConfig(path);
    secrets = await loadSecrets(config.secrets_dir, process.env);
  } catch (err) {
    fail(err, false);
  }
  const log = createLogger({ level: config.log.level });
  let daemon;
  try {
    daemon = await buildDaemon(config, secrets, log, process.env);
  } catch (err) {
    fail(err, false);
  }
  let shuttingDown = false;
  const shutdown = (reason: string, code: number): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    daemon.notifier.stopping();
    log.info({ reason }, "shutting down");
    const hardStop = setTimeout(() => {
      log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutdown deadline passed; exiting");
      process.exit(code === 0 ? 1 : code);
    }, SHUTDOWN_DEADLINE_MS);
    hardStop.unref();
    void daemon
      .stop()
      .then(() => daemon.notifier.flush())
      .then(() => {
        log.info("stopped");
        process.exit(code);
      });
  };
  process.once("SIGTERM", () => shutdown("SIGTERM", 0));
  process.once("SIGINT", () => shutdown("SIGINT", 0));
  // SIGHUP (systemctl reload): re-read the config; apply what can change live, name the rest.
  let running = config;
  process.on("SIGHUP", () => {
    loadConfig(path)
      .then(async (next) => {
        const plan = reloadPlan(running, next);
        const applied: Record<string, unknown> = {};
        if (plan.cameras) {
          const changes = await daemon.applyCameras(next);
          applied.cameras = {
            added: changes.added.map((c) => c.id),
            removed: changes.removed,
            restarted: changes.changed.map((c) => c.id),
          };
        }
        if (plan.logLevel) {
          setLogLevel(log, plan.logLevel);
          applied["log.level"] = plan.logLevel;
        }
        running = { ...running, log: next.log, cameras: next.cameras };
        log.info(
          { applied, needs_restart: plan.needsRestart },
          plan.needsRestart.length > 0 ? "config reloaded; some changes need a restart" : "config reloaded",
        );
      })
      .catch((err: unknown) => log.error({ err }, "config reload refused; the running config stays"));
  });
  daemon.notifier.status("starting: opening the store, loading the model");
  try {
    await daemon.lifecycle.start();
  } catch (err) {
    log.fatal({ err }, "start failed");
    process.exitCode = exitCodeFor(err);
    return;
  }
  log.info(
    {
      config: path,
      http: daemon.http.url,
      brokers: daemon.brokerUrls,
      topics: daemon.topics.base,
      startMs: Math.round(performance.now() - t0),
    },
    "started",
  );
  const readyPoll = setInterval(() => {
    const readiness = daemon.readiness();
    if (!readiness.ready) return;
    clearInterval(readyPoll);
    log.info({ readyMs: Math.round(performance.now() - t0), uptimeMs: Math.round(process.uptime() * 1000) }, "ready");
  }, 100);
  readyPoll.unref();
}
