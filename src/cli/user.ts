import { type Command, Option } from "commander";
import type { PublicUser } from "../auth/user-store.js";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { ROLES } from "../contract/roles.js";
import { adminCall, type OfflineAdmin } from "./admin-client.js";
import { openOfflineAdmin } from "./offline-admin.js";
import { CONFIG_HELP, emit, fail } from "./output.js";
import { readNewPassword } from "./password-input.js";

interface Options {
  config?: string;
  json?: boolean;
  role?: string;
}

function table(users: readonly PublicUser[]): string {
  const rows = [
    ["USER", "ROLE", "STATE", "CREATED", "PASSWORD CHANGED"],
    ...users.map((u) => [u.username, u.role, u.disabled ? "disabled" : "active", u.created_at, u.password_changed_at]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Runs one user op through the daemon (or the store, when it is stopped) and prints the result. */
function action<A extends unknown[]>(
  offline: OfflineAdmin,
  run: (
    opts: Options,
    call: (op: string, args: unknown) => Promise<unknown>,
    ...a: A
  ) => Promise<{ data: unknown; human: string }>,
) {
  return async (...argv: [...A, Options, Command]): Promise<void> => {
    const opts = argv[argv.length - 2] as Options;
    const json = opts.json === true;
    try {
      const config = await loadConfig(configPathFrom(opts.config, process.env));
      const { data, human } = await run(
        opts,
        (op, args) => adminCall(config, offline, op, args),
        ...(argv.slice(0, -2) as A),
      );
      emit(json, data, () => human);
    } catch (err) {
      fail(err, json);
    }
  };
}

/** `vigil user add|list|disable|enable|delete|reset-password`. */
export function registerUserCommands(program: Command, offline: OfflineAdmin = openOfflineAdmin): void {
  const user = program.command("user").description("operators of the HTTP API (stored in the daemon's store)");
  user
    .command("add <name>")
    .description("create a user; the password comes from stdin when it is not a terminal, else it is asked for")
    .addOption(
      new Option("--role <role>", "viewer, operator, supervisor or admin").choices(ROLES).makeOptionMandatory(),
    )
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(
      action(offline, async (opts, call, name: string) => {
        const created = (await call("user.add", {
          username: name,
          role: opts.role,
          password: await readNewPassword(),
        })) as PublicUser;
        return { data: created, human: `created ${created.username} (${created.role})` };
      }),
    );
  user
    .command("list")
    .description("list users and their state")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(
      action(offline, async (_opts, call) => {
        const users = (await call("user.list", {})) as PublicUser[];
        return { data: users, human: users.length === 0 ? "no users" : table(users) };
      }),
    );
  for (const [verb, op, done, help] of [
    ["disable", "user.disable", "disabled", "disable a user and end their sessions"],
    ["enable", "user.enable", "enabled", "enable a disabled user"],
    ["delete", "user.delete", "deleted", "delete a user and end their sessions"],
  ] as const) {
    user
      .command(`${verb} <name>`)
      .description(help)
      .option("-c, --config <file>", CONFIG_HELP)
      .option("--json", "print the result as JSON")
      .action(
        action(offline, async (_opts, call, name: string) => {
          await call(op, { username: name });
          return { data: { username: name, [done]: true }, human: `${done} ${name}` };
        }),
      );
  }
  user
    .command("reset-password <name>")
    .description("set a new password (stdin or prompt); ends the user's sessions and lifts a lockout")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(
      action(offline, async (_opts, call, name: string) => {
        await call("user.reset_password", { username: name, password: await readNewPassword() });
        return {
          data: { username: name, password_reset: true },
          human: `password of ${name} reset; their sessions are ended`,
        };
      }),
    );

  const keys = program.command("keys").description("the key ring that signs operators' access tokens");
  keys
    .command("rotate")
    .description(
      "sign new access tokens with a fresh key; tokens signed by the previous key stay valid until they expire",
    )
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(
      action(offline, async (_opts, call) => {
        const r = (await call("keys.rotate", {})) as { kid: string; ring: Array<{ kid: string; state: string }> };
        return {
          data: r,
          human: `signing with ${r.kid}; accepted: ${r.ring.map((k) => `${k.kid} (${k.state})`).join(", ")}`,
        };
      }),
    );
  keys
    .command("list")
    .description("list the signing keys and which one signs")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(
      action(offline, async (_opts, call) => {
        const ring = (await call("keys.list", {})) as Array<{ kid: string; created_at: string; state: string }>;
        return { data: ring, human: ring.map((k) => `${k.kid}  ${k.created_at}  ${k.state}`).join("\n") };
      }),
    );
}
