import type { Logger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";
import { DEFAULT_OUTBOX_OPTIONS, Outbox, type OutboxOptions } from "../../src/store/outbox.js";
import { silentLogger } from "./uplink-stack.js";

export const TEST_IDENTITY = { site: "hq", gateway: "gw-01" };

export interface StoreStack {
  readonly db: Database;
  readonly commits: GroupCommit;
  readonly outbox: Outbox;
  /** Stops the parts in reverse order, as the daemon does. */
  close(): Promise<void>;
}

/** The store, group commit and outbox on a real LevelDB in `dataDir`, started as the daemon starts them. */
export async function openStoreStack(
  dataDir: string,
  opts: { outbox?: OutboxOptions; now?: () => Date; log?: Logger } = {},
): Promise<StoreStack> {
  const log = opts.log ?? silentLogger();
  const db = new Database(dataDir, log, { attempts: 3, delayMs: 20 });
  await db.start();
  const commits = new GroupCommit(db);
  await commits.start();
  const outbox = new Outbox(db, commits, TEST_IDENTITY, opts.outbox ?? DEFAULT_OUTBOX_OPTIONS, log, opts.now);
  await outbox.start();
  return {
    db,
    commits,
    outbox,
    async close() {
      await outbox.stop();
      await commits.stop();
      await db.stop();
    },
  };
}
