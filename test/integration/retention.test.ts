// The retention sweep on a real store: old finished incidents go, open and under-review ones stay
// however old, and the deletion is in the audit chain.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { VigilEvents } from "../../src/contract/events.js";
import { EventBus } from "../../src/core/event-bus.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { RetentionJob } from "../../src/incidents/retention-job.js";
import { openAuthStack } from "../helpers/auth-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const DAY = 86_400_000;

void describe("incident retention (LevelDB, audit chain)", () => {
  void it("deletes finished incidents past the age limit, never open or under review ones, and audits it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-retention-"));
    const stack = await openAuthStack(dir);
    try {
      let clock = Date.now() - 100 * DAY;
      const incidents = new IncidentService(
        stack.store.db,
        stack.store.outbox,
        new EventBus<VigilEvents>(() => {}),
        silentLogger(),
        stack.audit,
        { minConfidence: 0.5 },
        () => clock,
      );
      const raise = () =>
        incidents.create({
          cameraId: "lobby",
          rule: "face_present",
          objects: [],
          startedAt: clock,
          lastSeenAt: clock,
          summary: "x",
        });
      const oldDismissed = await raise();
      await incidents.decide(oldDismissed.id, { action: "dismiss", actor: "otto", reason: "weather" });
      const oldEscalated = await raise();
      await incidents.decide(oldEscalated.id, { action: "escalate", actor: "otto" });
      const oldOpen = await raise();
      clock = Date.now();
      const recentClosed = await raise();
      await incidents.decide(recentClosed.id, { action: "monitor", actor: "otto" });
      await incidents.decide(recentClosed.id, { action: "close", actor: "otto" });

      const job = new RetentionJob({
        database: stack.store.db,
        commits: stack.store.commits,
        audit: stack.audit,
        index: incidents.index,
        policy: { maxAgeDays: 30, maxBytes: 0 },
        intervalMs: 3_600_000,
        log: silentLogger(),
      });
      assert.deepEqual(await job.sweep(), { byAge: 1, byBudget: 0 });
      assert.equal(await incidents.get(oldDismissed.id), undefined);
      for (const kept of [oldEscalated, oldOpen, recentClosed]) assert.ok(await incidents.get(kept.id), kept.id);
      const entry = (await stack.auditEntries()).find((e) => e.action === "retention.deleted");
      assert.deepEqual((entry?.details as { ids: string[] }).ids, [oldDismissed.id]);
      assert.deepEqual(await job.sweep(), { byAge: 0, byBudget: 0 }, "a second sweep finds nothing");
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
