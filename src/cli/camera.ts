import { type Command, InvalidArgumentError } from "commander";
import { configPathFrom, loadConfig } from "../config/loader.js";
import type { VigilConfig } from "../config/schema.js";
import { secretsSearchPath } from "../config/secrets.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { CameraCredentials } from "../ingest/camera-credentials.js";
import type { AddCamera, CameraPatch } from "../ingest/camera-registry-rules.js";
import { adminCall, type OfflineAdmin } from "./admin-client.js";
import { openOfflineAdmin } from "./offline-admin.js";
import { CONFIG_HELP, emit, fail } from "./output.js";
import { readHiddenInput } from "./password-input.js";

interface CommonOptions {
  config?: string;
  json?: boolean;
}

interface ChangeOptions extends CommonOptions {
  url?: string;
  name?: string;
  credentialsFile?: string;
  credentialsStdin?: boolean;
  detectFps?: number;
  probe?: boolean;
}

type CameraRow = Record<string, unknown> & { id: string };

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !(n > 0)) throw new InvalidArgumentError("expected a positive number");
  return n;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const text = (v: unknown): string =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : "-";

function describeProbe(probe: unknown): string {
  const p = probe as { codec?: string; width?: number; height?: number; fps?: number | null } | null | undefined;
  return p ? `${p.codec ?? "?"} ${p.width ?? "?"}x${p.height ?? "?"}${p.fps ? ` ${p.fps}fps` : ""}` : "-";
}

function describeList(cameras: readonly CameraRow[]): string {
  if (cameras.length === 0) return "no cameras";
  return table([
    ["ID", "ORIGIN", "ENABLED", "STATE", "FPS", "PROBE", "URL"],
    ...cameras.map((c) => [
      c.id,
      text(c.origin),
      text(c.enabled),
      text(c.state),
      text(c.camera_fps),
      describeProbe(c.probe),
      text(c.url),
    ]),
  ]);
}

async function withConfig<T>(opts: CommonOptions, work: (config: Readonly<VigilConfig>) => Promise<T>): Promise<T> {
  return work(await loadConfig(configPathFrom(opts.config, process.env)));
}

/**
 * Credentials typed or piped in are written here, by the CLI (the installer, who may write
 * secrets_dir; the daemon under systemd may not), as camera-<id>.cred, mode 0600. The camera then
 * names that file, and Vigil removes it with the camera. Never from argv, where `ps` would show it.
 */
async function credentialsFileFor(
  config: Readonly<VigilConfig>,
  id: string,
  opts: ChangeOptions,
): Promise<{ file?: string; written?: CameraCredentials }> {
  if (!opts.credentialsStdin) return opts.credentialsFile === undefined ? {} : { file: opts.credentialsFile };
  if (opts.credentialsFile !== undefined)
    throw new VigilError(ErrorCodes.VALIDATION, "--credentials-file and --credentials-stdin exclude each other");
  const credentials = await readHiddenInput({
    label: "camera credentials (user:password)",
    field: "credentials",
    confirm: false,
  });
  const files = new CameraCredentials(config.secrets_dir, secretsSearchPath(config.secrets_dir, process.env));
  return { file: await files.write(id, credentials), written: files };
}

function changeFields(opts: ChangeOptions): Partial<CameraPatch> {
  return {
    ...(opts.url === undefined ? {} : { url: opts.url }),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.detectFps === undefined ? {} : { detect: { fps: opts.detectFps } }),
    ...(opts.probe === false ? { probe: false } : {}),
  };
}

function addChangeOptions(cmd: Command): Command {
  return cmd
    .option("--name <text>", "a name people know the camera by")
    .option("--credentials-file <file>", "file in secrets_dir holding user:password")
    .option(
      "--credentials-stdin",
      "read user:password from stdin (asked without echo on a terminal) and store it in secrets_dir as camera-<id>.cred",
    )
    .option("--detect-fps <n>", "frames per second analysed", positiveNumber)
    .option("--no-probe", "do not read the stream first (a camera that is offline now)")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON");
}

/**
 * `vigil camera add|list|set|remove`: through the running daemon's admin socket (the change applies
 * at once, other cameras untouched), or on the store while no daemon runs (the next start runs it).
 */
export function registerCameraCommands(program: Command, offline: OfflineAdmin = openOfflineAdmin): void {
  const camera = program
    .command("camera")
    .description("cameras: those in the config file, and those added here at runtime");

  addChangeOptions(
    camera
      .command("add")
      .description("add a camera; its stream is probed (codec, size, fps) unless --no-probe")
      .argument("<id>", "camera id: a-z, 0-9, _ and -, at most 64")
      .option(
        "--url <url>",
        "stream URL without credentials, e.g. rtsp://10.0.0.10:554/stream1; leave out for a camera that only pushes JPEGs",
      )
      .option("--disabled", "add it disabled (not streamed until enabled)"),
  ).action(async (id: string, opts: ChangeOptions & { url?: string; disabled?: boolean }) => {
    const json = opts.json === true;
    try {
      const result = await withConfig(opts, async (config) => {
        const creds = await credentialsFileFor(config, id, opts);
        const args: AddCamera = {
          id,
          ...changeFields(opts),
          ...(creds.file ? { credentials_file: creds.file } : {}),
          ...(opts.disabled ? { enabled: false } : {}),
        };
        try {
          return await adminCall<{ camera: CameraRow }>(config, offline, "camera.add", args);
        } catch (err) {
          if (creds.written && creds.file) await creds.written.remove(creds.file);
          throw err;
        }
      });
      emit(json, result, () => `added camera ${result.camera.id} (${describeProbe(result.camera.probe)})`);
    } catch (err) {
      fail(err, json);
    }
  });

  addChangeOptions(
    camera
      .command("set")
      .description("change a camera added at runtime (config-file cameras are changed in the file)")
      .argument("<id>", "camera id")
      .option("--url <url>", "new stream URL (re-probed unless --no-probe)")
      .option("--enabled", "stream it")
      .option("--disabled", "stop streaming it, keep it"),
  ).action(async (id: string, opts: ChangeOptions & { enabled?: boolean; disabled?: boolean }) => {
    const json = opts.json === true;
    try {
      if (opts.enabled && opts.disabled)
        throw new VigilError(ErrorCodes.VALIDATION, "--enabled and --disabled exclude each other");
      const result = await withConfig(opts, async (config) => {
        const creds = await credentialsFileFor(config, id, opts);
        const patch: CameraPatch = {
          ...changeFields(opts),
          ...(creds.file ? { credentials_file: creds.file } : {}),
          ...(opts.enabled ? { enabled: true } : opts.disabled ? { enabled: false } : {}),
        };
        return adminCall<{ camera: CameraRow }>(config, offline, "camera.update", { id, patch });
      });
      emit(
        json,
        result,
        () => `changed camera ${result.camera.id} (${result.camera.enabled === true ? "enabled" : "disabled"})`,
      );
    } catch (err) {
      fail(err, json);
    }
  });

  camera
    .command("list")
    .description("list cameras with origin, state and fps (state only while the daemon runs)")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (opts: CommonOptions) => {
      const json = opts.json === true;
      try {
        const result = await withConfig(opts, (config) =>
          adminCall<{ cameras: CameraRow[] }>(config, offline, "camera.list", {}),
        );
        emit(json, result, () => describeList(result.cameras));
      } catch (err) {
        fail(err, json);
      }
    });

  camera
    .command("remove")
    .description("remove a camera added at runtime and revoke its API keys")
    .argument("<id>", "camera id")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (id: string, opts: CommonOptions) => {
      const json = opts.json === true;
      try {
        const result = await withConfig(opts, (config) =>
          adminCall<{ removed: string; revoked_keys: string[] }>(config, offline, "camera.remove", { id }),
        );
        emit(
          json,
          result,
          () =>
            `removed camera ${result.removed}${result.revoked_keys.length > 0 ? `; revoked its API keys ${result.revoked_keys.join(", ")}` : ""}`,
        );
      } catch (err) {
        fail(err, json);
      }
    });
}
