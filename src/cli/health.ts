import type { Command } from "commander";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { ExitCodes } from "../core/errors.js";
import { daemonCall } from "./admin-client.js";
import { renderHealth } from "./health-view.js";
import { CONFIG_HELP, emit, fail } from "./output.js";

/**
 * `vigil health`: the running daemon's health document (the one behind `GET /v1/health`), read
 * over the admin socket, so the tech on the box needs no login. Exit 1 when failing or when no
 * daemon answers.
 */
export function registerHealthCommand(program: Command): void {
  program
    .command("health")
    .description(
      "the running daemon's health: cameras, detector, uplink, outbox, system, certificates; exit 1 when failing",
    )
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the health document as JSON (the same as GET /v1/health)")
    .action(async (opts: { config?: string; json?: boolean }) => {
      const json = opts.json === true;
      try {
        const config = await loadConfig(configPathFrom(opts.config, process.env));
        const doc = await daemonCall<Record<string, unknown>>(config, "health.get", {});
        emit(json, doc, () => renderHealth(doc, process.stdout.isTTY && !process.env.NO_COLOR));
        if (doc.status === "failing") process.exitCode = ExitCodes.FAILURE;
      } catch (err) {
        fail(err, json);
      }
    });
}
