import { type Command, InvalidArgumentError, Option } from "commander";
import { type CreateKeyArgs, DEFAULT_KEY_LIMITS } from "../auth/api-keys/api-key-schemas.js";
import type { PublicApiKey } from "../auth/api-keys/api-key-record.js";
import type { CreatedApiKey, RevokedApiKey } from "../auth/api-keys/api-key-service.js";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { CAMERA_SCOPES } from "../contract/roles.js";
import { adminCall, type OfflineAdmin } from "./admin-client.js";
import { openOfflineAdmin } from "./offline-admin.js";
import { CONFIG_HELP, emit, fail } from "./output.js";

const SHOWN_ONCE = "this key is shown once and cannot be retrieved again: store it now (e.g. on the camera)";

interface CommonOptions {
  config?: string;
  json?: boolean;
}

interface CreateOptions extends CommonOptions {
  camera: string;
  scope?: string[];
  expiresDays?: number;
  cidr?: string[];
  perMinute?: number;
  perHour?: number;
  label?: string;
}

function positiveInt(value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value)) throw new InvalidArgumentError("expected a positive integer");
  return Number(value);
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

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

function shownStatus(key: PublicApiKey, now: number): string {
  if (key.status === "active" && key.expires_at !== null && Date.parse(key.expires_at) <= now) return "expired";
  return key.status;
}

function describeList(keys: readonly PublicApiKey[]): string {
  if (keys.length === 0) return "no api keys";
  const now = Date.now();
  return table([
    ["KEY ID", "CAMERA", "STATUS", "SCOPES", "EXPIRES", "USES", "LAST USED", "LABEL"],
    ...keys.map((k) => [
      k.key_id,
      k.camera_id,
      shownStatus(k, now),
      k.scopes.join(","),
      k.expires_at ?? "never",
      String(k.usage_count),
      k.last_used_at ? `${k.last_used_at} from ${k.last_used_from ?? "?"}` : "never",
      k.label ?? "",
    ]),
  ]);
}

async function withConfig<T>(
  opts: CommonOptions,
  work: (config: Awaited<ReturnType<typeof loadConfig>>) => Promise<T>,
): Promise<T> {
  return work(await loadConfig(configPathFrom(opts.config, process.env)));
}

/**
 * `vigil key create|list|revoke`. Each verb runs its admin op in the running daemon (admin socket)
 * or, when none runs, against the store directly; `offline` is replaceable for tests.
 */
export function registerKeyCommands(program: Command, offline: OfflineAdmin = openOfflineAdmin): void {
  const key = program.command("key").description("API keys with which cameras push frames and events");

  key
    .command("create")
    .description("create an API key for a camera and print it once")
    .requiredOption("--camera <id>", "the camera the key belongs to; it can write only as this camera")
    .addOption(
      new Option("--scope <scope...>", "what the key may write (repeatable; default: all)").choices([...CAMERA_SCOPES]),
    )
    .option("--expires-days <n>", "the key stops working after this many days (default: never)", positiveInt)
    .option(
      "--cidr <cidr>",
      "a source address range the key may be used from, IPv4 or IPv6 (repeatable; default: any)",
      collect,
    )
    .option(
      "--per-minute <n>",
      `requests per minute this key may make (default ${DEFAULT_KEY_LIMITS.per_minute})`,
      positiveInt,
    )
    .option(
      "--per-hour <n>",
      `requests per hour this key may make (default ${DEFAULT_KEY_LIMITS.per_hour})`,
      positiveInt,
    )
    .option("--label <text>", "a note for admins, e.g. where the camera is")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (opts: CreateOptions) => {
      const json = opts.json === true;
      try {
        const args: CreateKeyArgs = {
          camera_id: opts.camera,
          ...(opts.scope ? { scopes: opts.scope as CreateKeyArgs["scopes"] } : {}),
          ...(opts.expiresDays === undefined ? {} : { expires_in_days: opts.expiresDays }),
          ...(opts.cidr ? { allowed_cidrs: opts.cidr } : {}),
          ...(opts.perMinute === undefined ? {} : { per_minute: opts.perMinute }),
          ...(opts.perHour === undefined ? {} : { per_hour: opts.perHour }),
          ...(opts.label === undefined ? {} : { label: opts.label }),
        };
        const created = await withConfig(opts, (config) =>
          adminCall<CreatedApiKey>(config, offline, "key.create", args),
        );
        if (!json) {
          const k = created.api_key;
          process.stderr.write(
            `created key ${k.key_id} for camera ${k.camera_id} (scopes ${k.scopes.join(", ")}; expires ${k.expires_at ?? "never"})\n`,
          );
          process.stderr.write(`warning: ${SHOWN_ONCE}\n`);
        }
        // In text, only the key goes to stdout, so `KEY=$(vigil key create ...)` captures exactly it.
        emit(json, { ...created, warning: SHOWN_ONCE }, () => created.key);
      } catch (err) {
        fail(err, json);
      }
    });

  key
    .command("list")
    .description("list API keys and their use, without secrets")
    .option("--camera <id>", "only this camera's keys")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (opts: CommonOptions & { camera?: string }) => {
      const json = opts.json === true;
      try {
        const args = opts.camera === undefined ? {} : { camera_id: opts.camera };
        const result = await withConfig(opts, (config) =>
          adminCall<{ api_keys: PublicApiKey[] }>(config, offline, "key.list", args),
        );
        emit(json, result, () => describeList(result.api_keys));
      } catch (err) {
        fail(err, json);
      }
    });

  key
    .command("revoke")
    .description("revoke an API key at once; revoking a revoked key changes nothing")
    .argument("<keyId>", "the key id (the part after vk_, as `vigil key list` shows it)")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (keyId: string, opts: CommonOptions) => {
      const json = opts.json === true;
      try {
        const result = await withConfig(opts, (config) =>
          adminCall<RevokedApiKey>(config, offline, "key.revoke", { key_id: keyId }),
        );
        const k = result.api_key;
        emit(json, result, () =>
          result.already_revoked
            ? `key ${k.key_id} was already revoked (${k.revoked_at ?? "?"} by ${k.revoked_by ?? "?"})`
            : `revoked key ${k.key_id} of camera ${k.camera_id}`,
        );
      } catch (err) {
        fail(err, json);
      }
    });
}
