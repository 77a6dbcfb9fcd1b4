import type { CommandDispatcher } from "./command-dispatcher.js";

export interface BuiltinCommandDeps {
  /** The gateway's health snapshot, as a field tech would see it. */
  readonly health: () => unknown;
  /** Signs and queues an audit checkpoint now, even if the chain has not moved. */
  readonly checkpointNow: () => Promise<unknown>;
}

/**
 * Commands of the sync part itself. Features register their own with the same dispatcher
 * (`key.revoke`: src/auth/api-keys/api-key-commands.ts); incident decisions and the watchlist will
 * when those features land, and until then central gets VIGIL_E_COMMAND_UNKNOWN for them.
 */
export function registerBuiltinCommands(dispatcher: CommandDispatcher, deps: BuiltinCommandDeps): void {
  dispatcher.register("health.request", async () => deps.health());
  dispatcher.register("audit.checkpoint", async () => deps.checkpointNow());
}
