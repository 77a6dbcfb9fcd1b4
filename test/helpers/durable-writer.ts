/**
 * A writer process for kill -9 durability tests: `node durable-writer.js <outbox|audit> <dataDir>
 * [auditSecret]` writes forever, 8 at a time, and prints one line per write only after the write
 * resolved (so every printed line is a write it was told is durable):
 * - outbox: `<stream> <seq> <id>` for appends to the incidents and audit streams;
 * - audit: `<seq> <mac>` for audit records.
 */
import { AuditLog } from "../../src/audit/audit-log.js";
import { auditKeyFromSecret } from "../../src/audit/chain.js";
import { createLogger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";
import { Outbox } from "../../src/store/outbox.js";

const [mode, dataDir, secret] = process.argv.slice(2);
if ((mode !== "outbox" && mode !== "audit") || !dataDir)
  throw new Error("usage: durable-writer <outbox|audit> <dataDir> [auditSecret]");
const identity = { site: "hq", gateway: "gw-01" };
const log = createLogger({ level: "silent" });
const db = new Database(dataDir, log);
await db.start();
const commits = new GroupCommit(db);
await commits.start();
const outbox = new Outbox(db, commits, identity);
await outbox.start();
const audit =
  mode === "audit"
    ? new AuditLog(db, outbox, auditKeyFromSecret(secret ?? ""), identity, { anonymiseSources: false }, log)
    : undefined;
await audit?.start();

const writeOne = async (round: number, i: number): Promise<string> => {
  if (audit) {
    const e = await audit.record({
      actor: "system",
      action: "test.tick",
      target: "t",
      result: "ok",
      details: { round, i },
    });
    return `${e.seq} ${e.mac}`;
  }
  const e = await outbox.append(i % 3 === 0 ? "audit" : "incidents", "t", { round, i });
  return `${e.stream} ${e.seq} ${e.id}`;
};

for (let round = 0; ; round++) {
  // Written (synchronously, to a pipe) only after each write resolved.
  await Promise.all(Array.from({ length: 8 }, async (_, i) => process.stdout.write(`${await writeOne(round, i)}\n`)));
}
