// Listing through the incident indexes, on a real LevelDB, against a full scan of the same store:
// over random histories of creates, updates, decisions, status changes and retention deletes,
// every filter combination pages to exactly what the scan finds, and the counts agree.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { VigilEvents } from "../../src/contract/events.js";
import type { Incident, IncidentStatus } from "../../src/contract/incident.js";
import { EventBus } from "../../src/core/event-bus.js";
import { type IndexFilter, matchesIncident, sortKey } from "../../src/incidents/incident-index-keys.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { DECISION_ACTIONS, DISMISS_REASONS } from "../../src/incidents/lifecycle.js";
import { RetentionJob } from "../../src/incidents/retention-job.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-01-05T00:00:00Z");
const CAMERAS = ["lobby", "yard"];
const RULES = ["door-watch", "tamper"];
const ZONES = ["door", "lane a!b"];
const STATUSES: IncidentStatus[] = [
  "open",
  "monitoring",
  "dismissed",
  "escalated",
  "dispatch_pending_review",
  "dispatch_authorized",
  "closed",
];

const arbStep = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      camera: fc.nat(1),
      rule: fc.nat(1),
      zone: fc.nat(2),
      day: fc.integer({ min: 0, max: 30 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("update" as const), target: fc.nat(), end: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("decide" as const),
      target: fc.nat(),
      action: fc.constantFrom(...DECISION_ACTIONS, "approve" as const),
      reason: fc.constantFrom(...DISMISS_REASONS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("retention" as const), keepDays: fc.integer({ min: 1, max: 40 }) }),
  },
);

/** What a full scan of the store answers: every incident read, filtered, sorted newest first. */
async function scan(stack: AuthStack, f: IndexFilter): Promise<Incident[]> {
  const all = (await stack.store.db.sublevels.incidents.values().all()) as Incident[];
  return all.filter((i) => matchesIncident(i, f)).sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1));
}

/** Every page of a listing through the indexes, following next_cursor. */
async function pages(incidents: IncidentService, f: IndexFilter, limit: number): Promise<Incident[]> {
  const out: Incident[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 1000; n++) {
    const page = await incidents.list({ ...f, limit, cursor });
    assert.ok(page.incidents.length <= limit);
    out.push(...page.incidents);
    if (page.next_cursor === null) return out;
    cursor = page.next_cursor;
  }
  assert.fail("listing never ended");
}

void describe("incident indexes (LevelDB) against a full scan", () => {
  let dir: string;
  let stack: AuthStack;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-incident-index-"));
    stack = await openAuthStack(dir);
  });
  after(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it("every filter combination, paged, equals the scan; counts per status equal the scan's", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbStep, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        fc.option(fc.integer({ min: -2, max: 32 })),
        fc.option(fc.integer({ min: -2, max: 32 })),
        async (steps, limit, pick, sinceDay, untilDay) => {
          const { incidents: incSub, incident_idx: idxSub } = stack.store.db.sublevels;
          await incSub.clear();
          await idxSub.clear();
          // The store's counts are kept in memory per store: read them again after clearing it.
          await stack.incidents.index.stop();
          let clock = T0;
          const incidents = new IncidentService(
            stack.store.db,
            stack.store.outbox,
            new EventBus<VigilEvents>(() => {}),
            silentLogger(),
            stack.audit,
            { minConfidence: 0.5, allowSelfApproval: true },
            () => clock,
          );
          const ids: string[] = [];
          for (const s of steps) {
            clock += 60_000;
            if (s.kind === "create") {
              const started = T0 + s.day * DAY;
              const created = await incidents.create({
                cameraId: CAMERAS[s.camera] ?? "lobby",
                rule: RULES[s.rule] ?? "tamper",
                zone: ZONES[s.zone] ?? null,
                objects: [],
                startedAt: started,
                lastSeenAt: started,
                summary: "x",
              });
              ids.push(created.id);
            } else if (s.kind === "update" && ids.length > 0) {
              await incidents.update(ids[s.target % ids.length] ?? "", {
                lastSeenAt: clock,
                ...(s.end ? { endedAt: clock } : {}),
                confidence: 0.7,
              });
            } else if (s.kind === "decide" && ids.length > 0) {
              const id = ids[s.target % ids.length] ?? "";
              await incidents
                .decide(id, { action: s.action, actor: "otto", reason: s.action === "dismiss" ? s.reason : undefined })
                .catch((err: unknown) => {
                  if (
                    !/VIGIL_E_(INCIDENT_TRANSITION|NOT_FOUND|VALIDATION|BAD_REQUEST)/.test(
                      String((err as { code?: string }).code),
                    )
                  )
                    throw err;
                });
            } else if (s.kind === "retention") {
              const job = new RetentionJob({
                database: stack.store.db,
                commits: stack.store.commits,
                audit: stack.audit,
                index: incidents.index,
                policy: { maxAgeDays: s.keepDays, maxBytes: 0 },
                intervalMs: 3_600_000,
                log: silentLogger(),
                now: () => clock + 30 * DAY,
              });
              await job.sweep();
            }
          }
          const time = {
            since: sinceDay === null ? undefined : T0 + sinceDay * DAY,
            until: untilDay === null ? undefined : T0 + untilDay * DAY,
          };
          for (let mask = 0; mask < 16; mask++) {
            const f: IndexFilter = {
              ...time,
              status: mask & 1 ? STATUSES[(pick + mask) % STATUSES.length] : undefined,
              camera: mask & 2 ? CAMERAS[pick % CAMERAS.length] : undefined,
              rule: mask & 4 ? RULES[(pick >> 1) % RULES.length] : undefined,
              zone: mask & 8 ? ZONES[(pick >> 2) % ZONES.length] : undefined,
            };
            const expected = (await scan(stack, f)).map((i) => i.id);
            assert.deepEqual(
              (await pages(incidents, f, limit)).map((i) => i.id),
              expected,
              JSON.stringify(f),
            );
          }
          const byStatus: Partial<Record<IncidentStatus, number>> = {};
          for (const i of await scan(stack, {})) byStatus[i.status] = (byStatus[i.status] ?? 0) + 1;
          assert.deepEqual(await incidents.index.statusCounts(), byStatus);
        },
      ),
      { numRuns: 40 },
    );
  });

  void it("writes sharing group-commit batches keep entries and counts exact", async () => {
    const { incidents: incSub, incident_idx: idxSub } = stack.store.db.sublevels;
    await incSub.clear();
    await idxSub.clear();
    await stack.incidents.index.stop();
    const incidents = new IncidentService(
      stack.store.db,
      stack.store.outbox,
      new EventBus<VigilEvents>(() => {}),
      silentLogger(),
      stack.audit,
      { minConfidence: 0.5 },
      () => T0,
    );
    const before = stack.store.commits.stats;
    const created = await Promise.all(
      Array.from({ length: 120 }, (_, n) =>
        incidents.create({
          cameraId: CAMERAS[n % 2] ?? "lobby",
          rule: RULES[n % 2] ?? "tamper",
          zone: ZONES[n % 3] ?? null,
          objects: [],
          startedAt: T0 + n * 1000,
          lastSeenAt: T0 + n * 1000,
          summary: "x",
        }),
      ),
    );
    const during = stack.store.commits.stats;
    assert.ok(during.batches - before.batches < (during.commits - before.commits) / 4, "the creations shared batches");
    const actions = ["monitor", "dismiss", "escalate"] as const;
    await Promise.all(
      created.map((c, n) =>
        incidents.decide(c.id, {
          action: actions[n % 3] ?? "monitor",
          actor: "otto",
          reason: n % 3 === 1 ? "weather" : undefined,
        }),
      ),
    );
    await Promise.all(
      created.filter((_, n) => n % 3 === 0).map((c) => incidents.decide(c.id, { action: "close", actor: "otto" })),
    );
    const byStatus: Partial<Record<IncidentStatus, number>> = {};
    for (const i of await scan(stack, {})) byStatus[i.status] = (byStatus[i.status] ?? 0) + 1;
    assert.deepEqual(byStatus, { closed: 40, dismissed: 40, escalated: 40 });
    assert.deepEqual(await incidents.index.statusCounts(), byStatus);
    // Read back from disk, not from memory: the counts written in the batches are the same.
    await incidents.index.stop();
    assert.deepEqual(await incidents.index.statusCounts(), byStatus);
    for (const f of [{}, { status: "closed" as const }, { camera: "yard", zone: "door" }]) {
      assert.deepEqual(
        (await pages(incidents, f, 7)).map((i) => i.id),
        (await scan(stack, f)).map((i) => i.id),
      );
    }
  });
});
