import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { create as createTar } from "tar";
import { REQUIRED_SECRETS, type VigilConfig } from "../config/schema.js";
import { readSecretFile, secretsSearchPath } from "../config/secrets.js";
import { diagnoseSections } from "./support-bundle-sections.js";

async function secretValues(config: Readonly<VigilConfig>): Promise<string[]> {
  const dir = secretsSearchPath(config.secrets_dir, process.env);
  const files = [
    ...REQUIRED_SECRETS,
    config.metrics.token_file,
    ...config.cameras.flatMap((c) => (c.credentials_file ? [c.credentials_file] : [])),
  ];
  const values = await Promise.all(files.map((f) => readSecretFile(dir, f).catch(() => undefined)));
  return values.filter((v): v is string => v !== undefined);
}

/** The bundle's file name, unique per box and moment. */
export function supportBundleName(config: Readonly<VigilConfig>, at = new Date()): string {
  return `vigil-diagnose-${config.site}-${config.gateway}-${at.toISOString().replace(/[:.]/g, "-")}.tar.gz`;
}

/**
 * The support bundle that `vigil diagnose` and `POST /v1/diagnose` share: a tar.gz (mode 0600)
 * with the config without secrets, config check, health, versions, ffmpeg and GPU facts,
 * certificate expiry, the model manifest and the journal. Every secret value is scrubbed from the
 * config; the other sections never read secrets. Written beside `output` and renamed into place.
 */
export async function writeSupportBundle(
  config: Readonly<VigilConfig>,
  health: () => Promise<unknown>,
  output: string,
  onProgress: (step: string) => void = () => {},
): Promise<string[]> {
  onProgress("collecting");
  const files = await diagnoseSections(config, await secretValues(config), health);
  onProgress("writing");
  const staging = await mkdtemp(join(tmpdir(), "vigil-diagnose-"));
  const names = ["README.txt", ...files.map((f) => f.name)];
  try {
    const folder = `vigil-diagnose-${config.site}-${config.gateway}`;
    await writeFile(
      join(staging, "README.txt"),
      `Vigil support bundle, ${new Date().toISOString()}, site ${config.site}, gateway ${config.gateway}. No secrets are included.\n`,
      { mode: 0o600 },
    );
    for (const f of files) await writeFile(join(staging, f.name), f.content, { mode: 0o600 });
    const partial = join(dirname(output), `.${Date.now()}-${process.pid}.partial`);
    await createTar({ gzip: true, file: partial, cwd: staging, prefix: folder, mode: 0o600, portable: true }, names);
    await rename(partial, output);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return names;
}
