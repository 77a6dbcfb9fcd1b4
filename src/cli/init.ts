import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { OPTIONAL_SECRETS, REQUIRED_SECRETS } from "../config/schema.js";
import { secretsDirectory } from "../config/secrets.js";
import { PACKAGE_ROOT } from "../core/version.js";
import { generateCheckpointKeyPem } from "../audit/checkpoint.js";
import { emit, fail } from "./output.js";
import { pathExists } from "../core/fs-exists.js";

/** Most secrets are 32 random bytes; the checkpoint key is an Ed25519 private key (PEM). */
function generateSecret(name: (typeof REQUIRED_SECRETS)[number] | (typeof OPTIONAL_SECRETS)[number]): string {
  return name === "audit_checkpoint_key" ? generateCheckpointKeyPem() : `${randomBytes(32).toString("base64url")}\n`;
}

export interface InitOptions {
  config?: string;
  site?: string;
  gateway?: string;
  json?: boolean;
}

/**
 * Provisions a box: a config (from the documented example) if there is none, the data and secrets
 * directories, and one random secret per file. Safe to run again: nothing existing is overwritten.
 */
export async function init(opts: InitOptions): Promise<void> {
  const json = opts.json === true;
  const path = resolve(configPathFrom(opts.config, process.env));
  try {
    const created: string[] = [];
    if (!(await pathExists(path))) {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      const example = await readFile(join(PACKAGE_ROOT, "config", "vigil.example.yaml"), "utf8");
      const text = example
        .replace(/^site: .*$/m, `site: ${opts.site ?? "site"}`)
        .replace(/^gateway: .*$/m, `gateway: ${opts.gateway ?? "gw-01"}`);
      await writeFile(path, text, { mode: 0o640, flag: "wx" });
      created.push(path);
    }
    const config = await loadConfig(path);
    for (const dir of [config.data_dir]) {
      if (!(await pathExists(dir))) created.push(dir);
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
    const secretsDir = secretsDirectory(config.secrets_dir, process.env);
    await mkdir(secretsDir, { recursive: true, mode: 0o700 });
    const kept: string[] = [];
    // Optional secrets too: a feature an installer turns on later then finds its key in place.
    for (const name of [...REQUIRED_SECRETS, ...OPTIONAL_SECRETS]) {
      const file = join(secretsDir, name);
      try {
        // 'wx' refuses to replace an existing file: a re-run never rotates a secret by accident.
        await writeFile(file, generateSecret(name), { mode: 0o600, flag: "wx" });
        created.push(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        kept.push(file);
      }
    }
    emit(json, { ok: true, config: path, created, kept }, () =>
      [`config: ${path}`, ...created.map((c) => `created ${c}`), ...kept.map((k) => `kept    ${k}`)].join("\n"),
    );
  } catch (err) {
    fail(err, json);
  }
}
