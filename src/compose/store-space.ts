import type { VigilConfig } from "../config/schema.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";
import { StoreSpace } from "../store/store-space.js";
import type { Outbox } from "../store/outbox.js";

/** EX_TEMPFAIL: systemd's Restart=on-failure brings the daemon back, which then reads its state from disk. */
const EXIT_STORE_UNSAFE = 75;

/**
 * The free-space reserve of the data volume (StoreSpace), added right after the outbox: it guards
 * every batch (GroupCommit), the alerts (Outbox) and, once composed, new incidents.
 */
export function addStoreSpace(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  deps: { database: Database; commits: GroupCommit; outbox: Outbox; log: Logger },
): StoreSpace {
  const log = deps.log.child({ component: "store-space" });
  const space = lifecycle.add(
    new StoreSpace(deps.database, {
      reserveBytes: config.store.reserve_mib * 2 ** 20,
      checkIntervalMs: config.store.space_check_s * 1000,
      // Forced past the refusal (and the outbox budget): this alert is what the reserve keeps room for.
      alert: (data) => deps.outbox.appendDeferred("alerts", "store.full", { build: () => ({ data }) }, { force: true }),
      onUnsafe: (reason) => {
        log.fatal(
          { reason, exitCode: EXIT_STORE_UNSAFE },
          "store cannot be reopened in place safely: exiting for systemd to restart the daemon",
        );
        process.exit(EXIT_STORE_UNSAFE);
      },
      log,
    }),
  );
  deps.commits.guard = space;
  deps.outbox.spaceGuard = space;
  return space;
}
