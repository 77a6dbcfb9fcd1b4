import { resolve } from "node:path";
import type { Command } from "commander";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { supportBundleName, writeSupportBundle } from "../health/support-bundle.js";
import { daemonCall } from "./admin-client.js";
import { CONFIG_HELP, emit, fail, progress } from "./output.js";

/**
 * `vigil diagnose`: a support bundle (tar.gz, mode 0600) for a tech to attach to a ticket: the
 * config without secrets, config check, live health, versions, ffmpeg and GPU facts, certificate
 * expiry, the model manifest and the last 2000 journal lines. Secret values are scrubbed from it.
 * The console's "Download support bundle" (`POST /v1/diagnose`) makes the same bundle.
 */
export function registerDiagnoseCommand(program: Command): void {
  program
    .command("diagnose")
    .description("write a support bundle (config without secrets, health, versions, ffmpeg/GPU info, logs) to a tar.gz")
    .option("-o, --output <file>", "where to write it (default ./vigil-diagnose-<site>-<gateway>-<time>.tar.gz)")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (opts: { output?: string; config?: string; json?: boolean }) => {
      const json = opts.json === true;
      try {
        const config = await loadConfig(configPathFrom(opts.config, process.env));
        const show = json ? () => {} : progress("collecting");
        const output = resolve(opts.output ?? supportBundleName(config));
        let step = 0;
        const files = await writeSupportBundle(
          config,
          () => daemonCall(config, "health.get", {}),
          output,
          (s) => show(step++, 2, s),
        );
        show(2, 2);
        emit(json, { ok: true, output, files }, () => `support bundle written to ${output}`);
      } catch (err) {
        fail(err, json);
      }
    });
}
