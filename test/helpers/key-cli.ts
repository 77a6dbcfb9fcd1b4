/**
 * `vigil key ...` as the real CLI runs it, but with a stand-in for the offline admin until the
 * composition root wires the key ops: `node key-cli.js key create --camera lobby -c <config>`.
 * It opens the store in the config's data_dir, knows the config's cameras, and appends each audit
 * input as a JSON line to `<data_dir>/audit.jsonl` so the test can read what was audited.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { apiKeyAdminOps } from "../../src/auth/api-keys/api-key-admin-ops.js";
import { ApiKeyService } from "../../src/auth/api-keys/api-key-service.js";
import { ApiKeyStore } from "../../src/auth/api-keys/api-key-store.js";
import type { OfflineAdmin } from "../../src/cli/admin-client.js";
import { registerKeyCommands } from "../../src/cli/key.js";
import type { AuditEntry, AuditInput } from "../../src/contract/audit.js";
import { createLogger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";

const offline: OfflineAdmin = async (config) => {
  const log = createLogger({ level: "silent" });
  const database = new Database(config.data_dir, log);
  await database.start();
  const commits = new GroupCommit(database);
  const store = new ApiKeyStore(database, commits, log, { usageFlushMs: 0 });
  await store.start();
  let seq = 0;
  const audit = {
    record: async (input: AuditInput): Promise<AuditEntry> => {
      await appendFile(join(config.data_dir, "audit.jsonl"), `${JSON.stringify(input)}\n`);
      return { ...input, seq: ++seq, ts: new Date().toISOString(), prev_mac: "", mac: "" };
    },
  };
  const service = new ApiKeyService({ store, audit, cameraExists: (id) => config.cameras.some((c) => c.id === id) });
  return {
    ops: apiKeyAdminOps(service),
    async close() {
      await store.stop();
      await commits.stop();
      await database.stop();
    },
  };
};

const program = new Command()
  .name("vigil")
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
registerKeyCommands(program, offline);
await program.parseAsync(process.argv);
