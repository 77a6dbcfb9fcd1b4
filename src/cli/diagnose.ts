import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { create as createTar } from "tar";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { REQUIRED_SECRETS } from "../config/schema.js";
import { readSecretFile, secretsSearchPath } from "../config/secrets.js";
import { diagnoseSections } from "./diagnose-sections.js";
import { CONFIG_HELP, emit, fail, progress } from "./output.js";

async function secretValues(secretsDir: readonly string[], files: readonly string[]): Promise<string[]> {
  const values = await Promise.all(files.map((f) => readSecretFile(secretsDir, f).catch(() => undefined)));
  return values.filter((v): v is string => v !== undefined);
}

/**
 * `vigil diagnose`: a support bundle (tar.gz, mode 0600) for a tech to attach to a ticket: the
 * config without secrets, config check, live health, versions, ffmpeg and GPU facts, certificate
 * expiry, the model manifest and the last 2000 journal lines. Secret values are scrubbed from it.
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
        const dir = secretsSearchPath(config.secrets_dir, process.env);
        const secretFiles = [...REQUIRED_SECRETS, config.metrics.token_file, ...config.cameras.flatMap((c) => (c.credentials_file ? [c.credentials_file] : []))];
        const show = json ? () => {} : progress("collecting");
        show(0, 2);
        const files = await diagnoseSections(config, await secretValues(dir, secretFiles));
        show(1, 2, "writing");
        const stamp = new Date().toISOString().replace(/[:.]/g, "-");
        const output = resolve(opts.output ?? `vigil-diagnose-${config.site}-${config.gateway}-${stamp}.tar.gz`);
        const staging = await mkdtemp(join(tmpdir(), "vigil-diagnose-"));
        try {
          const folder = `vigil-diagnose-${config.site}-${config.gateway}`;
          await writeFile(join(staging, "README.txt"), `Vigil support bundle, ${new Date().toISOString()}, site ${config.site}, gateway ${config.gateway}. No secrets are included.\n`, { mode: 0o600 });
          for (const f of files) await writeFile(join(staging, f.name), f.content, { mode: 0o600 });
          const partial = join(dirname(output), `.${stamp}.partial`);
          await createTar({ gzip: true, file: partial, cwd: staging, prefix: folder, mode: 0o600, portable: true }, ["README.txt", ...files.map((f) => f.name)]);
          await rename(partial, output);
        } finally {
          await rm(staging, { recursive: true, force: true });
        }
        show(2, 2);
        emit(json, { ok: true, output, files: ["README.txt", ...files.map((f) => f.name)] }, () => `support bundle written to ${output}`);
      } catch (err) {
        fail(err, json);
      }
    });
}
