import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import si from "systeminformation";
import { SitePki } from "../auth/pki/site-pki.js";
import type { VigilConfig } from "../config/schema.js";
import { loadSecrets } from "../config/secrets.js";
import { isVigilError } from "../core/errors.js";
import { redactUrlCredentials } from "../core/logger.js";
import { PACKAGE_ROOT, VERSION } from "../core/version.js";

const run = promisify(execFile);

/** One file of the support bundle: its name and what went in it (or why nothing could). */
export interface BundleFile {
  readonly name: string;
  readonly content: string;
}

async function command(file: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr ? `\n[stderr]\n${stderr}` : ""}`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    return e.code === "ENOENT"
      ? `${file} is not installed\n`
      : `${file} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
const failure = (err: unknown): { error: { code: string; message: string } } => ({
  error: { code: isVigilError(err) ? err.code : "VIGIL_E_INTERNAL", message: (err as Error).message },
});

/**
 * The config as loaded (defaults applied), scrubbed. Secrets are never in the config (they live in
 * files), but URLs can carry `user:pass@` typed by hand, and every value that equals a secret's
 * content is replaced too, in case one was pasted where it does not belong.
 */
export function scrubbedConfig(config: Readonly<VigilConfig>, secretValues: readonly string[]): string {
  let text = redactUrlCredentials(JSON.stringify(config, null, 2));
  for (const s of secretValues) if (s.length >= 8) text = text.split(s).join("[secret removed]");
  return `${text}\n`;
}

/**
 * Everything a support engineer asks for first; each section is independent and never throws.
 * `health` reads the daemon's health document: over the admin socket from the CLI, in process
 * from the daemon's own `POST /v1/diagnose`.
 */
export async function diagnoseSections(
  config: Readonly<VigilConfig>,
  secretValues: readonly string[],
  health: () => Promise<unknown>,
): Promise<BundleFile[]> {
  const section = async (name: string, make: () => Promise<string>): Promise<BundleFile> => {
    try {
      return { name, content: await make() };
    } catch (err) {
      return { name, content: json(failure(err)) };
    }
  };
  return Promise.all([
    section("config.json", async () => scrubbedConfig(config, secretValues)),
    section("config-check.json", async () => {
      try {
        await loadSecrets(config.secrets_dir, process.env);
        return json({ ok: true });
      } catch (err) {
        return json({ ok: false, ...failure(err) });
      }
    }),
    section("health.json", async () => {
      try {
        return json(await health());
      } catch (err) {
        return json(failure(err));
      }
    }),
    section("versions.json", async () => {
      const ort = JSON.parse(
        await readFile(join(PACKAGE_ROOT, "node_modules", "onnxruntime-node", "package.json"), "utf8").catch(
          () => "{}",
        ),
      ) as { version?: string };
      const os = await si.osInfo();
      return json({
        vigil: VERSION,
        node: process.versions,
        onnxruntime_node: ort.version ?? null,
        os: { distro: os.distro, release: os.release, kernel: os.kernel, arch: os.arch, hostname: os.hostname },
      });
    }),
    section(
      "ffmpeg.txt",
      async () =>
        `${await command("ffmpeg", ["-hide_banner", "-version"])}\n${await command("ffmpeg", ["-hide_banner", "-hwaccels"])}`,
    ),
    section("gpu.json", async () => json(await si.graphics())),
    section("nvidia-smi.txt", () => command("nvidia-smi", ["-q"])),
    section("system.json", async () =>
      json({ cpu: await si.cpu(), memory: await si.mem(), disks: await si.fsSize(), load: await si.currentLoad() }),
    ),
    section("certificates.json", async () =>
      json(await new SitePki(config.certs_dir, config.site).list(config.auth.alerts.cert_expiry_days)),
    ),
    section("models.json", async () => readFile(join(config.models_dir, "manifest.json"), "utf8")),
    section("logs.txt", () => command("journalctl", ["-u", "vigil", "-n", "2000", "--no-pager", "-o", "cat"])),
  ]);
}
