// Audit entries by target on a real store: an incident's trail comes from the target index (the
// same entries, in seq order, as a walk of the whole chain filters), is written with each entry,
// and a chain from before the index gets it at start.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AuditLog } from "../../src/audit/audit-log.js";
import { auditTrailOf, TARGET_INDEX_BUILT } from "../../src/audit/audit-target-index.js";
import { auditKeyFromSecret, isAuditEntry } from "../../src/audit/chain.js";
import type { AuditEntry } from "../../src/contract/audit.js";
import { openStoreStack, TEST_IDENTITY } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const KEY = auditKeyFromSecret("a".repeat(64));

async function scan(db: Awaited<ReturnType<typeof openStoreStack>>["db"], target: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const v of db.sublevels.audit.values()) if (isAuditEntry(v) && v.target === target) out.push(v);
  return out;
}

void describe("audit entries by target (LevelDB)", () => {
  void it("reads an incident's entries through the index, equal to a walk of the chain, and indexes an older chain at start", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-audit-target-"));
    try {
      const targets = ["incident:a", "incident:b!x", "incident:c", "user:otto"];
      let stack = await openStoreStack(dir);
      let audit = new AuditLog(stack.db, stack.outbox, KEY, TEST_IDENTITY, { anonymiseSources: false }, silentLogger());
      await audit.start();
      for (let i = 0; i < 60; i++)
        await audit.record({
          actor: "otto",
          action: "incident.decision",
          target: targets[(i * 7) % targets.length] ?? "x",
          result: "ok",
        });
      for (const t of [...targets, "incident:none"])
        assert.deepEqual(await audit.forTarget(t), await scan(stack.db, t), t);
      assert.equal((await audit.forTarget("incident:b!x")).length, 15);
      // Only its own index range is read: the index holds one key per entry, prefixed by its target.
      assert.equal(
        (await stack.db.sublevels.audit_idx.keys({ gte: "incident%3Ab%21x!", lt: "incident%3Ab%21x!\uffff" }).all())
          .length,
        15,
      );
      await audit.stop();
      // A chain from before the index: index and marker gone; the next start rebuilds them.
      await stack.db.sublevels.audit_idx.clear();
      await stack.db.sublevels.meta.del(TARGET_INDEX_BUILT);
      assert.deepEqual(
        await auditTrailOf(stack.db, "incident:a"),
        await scan(stack.db, "incident:a"),
        "without the index: a walk",
      );
      await stack.close();
      stack = await openStoreStack(dir);
      audit = new AuditLog(stack.db, stack.outbox, KEY, TEST_IDENTITY, { anonymiseSources: false }, silentLogger());
      await audit.start();
      assert.ok(await stack.db.sublevels.meta.get(TARGET_INDEX_BUILT));
      for (const t of targets) assert.deepEqual(await audit.forTarget(t), await scan(stack.db, t), t);
      await audit.stop();
      await stack.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
