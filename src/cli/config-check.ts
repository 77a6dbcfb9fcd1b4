import { configPathFrom, loadConfig } from "../config/loader.js";
import { loadSecrets, secretsDirectory } from "../config/secrets.js";
import { emit, fail } from "./output.js";

export async function configCheck(opts: { config?: string; json?: boolean }): Promise<void> {
  const json = opts.json === true;
  const path = configPathFrom(opts.config, process.env);
  try {
    const config = await loadConfig(path);
    await loadSecrets(config.secrets_dir, process.env);
    emit(
      json,
      {
        ok: true,
        path,
        site: config.site,
        gateway: config.gateway,
        cameras: config.cameras.length,
        secrets_dir: secretsDirectory(config.secrets_dir, process.env),
      },
      () => `${path}: ok (site ${config.site}, gateway ${config.gateway}, ${config.cameras.length} camera(s))`,
    );
  } catch (err) {
    fail(err, json);
  }
}
