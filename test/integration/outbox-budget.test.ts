import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCodes, isVigilError } from "../../src/core/errors.js";
import type { OutboxOptions } from "../../src/store/outbox.js";
import { openStoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const log = silentLogger();

const open = (dir: string, options: OutboxOptions, now = (): Date => new Date()) =>
  openStoreStack(dir, { outbox: options, now, log });

const body = (n: number) => ({ text: "x".repeat(n) });

void describe("outbox byte budget on a real LevelDB", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-budget-"));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  void it("when full: oldest alerts go first, then incidents are refused with an outbox.full alert; audit always fits", async (t) => {
    const options: OutboxOptions = { maxBytes: 8_000, policy: "shed-alerts-then-refuse-incidents", ttlS: {} };
    const s = await open(join(root, "full"), options);
    t.after(() => s.close());
    for (let i = 0; i < 4; i++) await s.outbox.append("alerts", "camera.offline", { i, ...body(700) });
    for (let i = 0; i < 4; i++) await s.outbox.append("incidents", "incident.created", { i, ...body(700) });
    assert.ok(s.outbox.stats.used_bytes <= 8_000);

    // Room for more incidents is made by dropping the oldest alerts.
    await s.outbox.append("incidents", "incident.created", { i: 4, ...body(700) });
    await s.outbox.append("incidents", "incident.created", { i: 5, ...body(700) });
    const alertsLeft = (await s.outbox.read("alerts", 0, 100)).map((e) => e.envelope.seq);
    const dropped = s.outbox.stats.dropped_alerts;
    assert.ok(dropped >= 1, "alerts were dropped to make room");
    assert.deepEqual(alertsLeft, [1, 2, 3, 4].slice(dropped), "the oldest ones");
    assert.equal(await s.outbox.depth("incidents"), 6, "no incident was refused while alerts remained");

    // Keep going until no alert is left: then incidents are refused.
    let refused = 0;
    for (let i = 6; i < 20 && refused === 0; i++) {
      try {
        await s.outbox.append("incidents", "incident.created", { i, ...body(700) });
      } catch (err) {
        assert.ok(isVigilError(err, ErrorCodes.OUTBOX_FULL));
        refused += 1;
      }
    }
    assert.equal(refused, 1);
    const incidentSeqs = (await s.outbox.read("incidents", 0, 100)).map((e) => e.envelope.seq);
    assert.deepEqual(
      incidentSeqs,
      incidentSeqs.map((_, i) => i + 1),
      "a refused incident leaves no seq gap",
    );
    // The central server is told, once, even though the budget is spent.
    for (let i = 0; i < 50 && (await s.outbox.read("alerts", 4, 10)).length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    const full = (await s.outbox.read("alerts", 0, 100)).filter((e) => e.envelope.type === "outbox.full");
    assert.equal(full.length, 1);
    assert.equal((full[0]?.envelope.data as { refused: { stream: string } }).refused.stream, "incidents");

    // Audit is never refused, even over budget.
    for (let i = 0; i < 5; i++) await s.outbox.append("audit", "audit.entry", { i, ...body(700) });
    assert.equal((await s.outbox.read("audit", 0, 100)).length, 5);

    // Acknowledged messages free their bytes (audit counts against the budget too).
    const used = s.outbox.stats.used_bytes;
    for (const e of [...(await s.outbox.read("audit", 0, 100)), ...(await s.outbox.read("incidents", 0, 3))])
      await s.outbox.acknowledge(e.key);
    assert.ok(s.outbox.stats.used_bytes < used);
    await s.outbox.append("incidents", "incident.created", { again: true, ...body(700) });
  });

  void it("byte accounting is rebuilt from disk after a restart", async () => {
    const dir = join(root, "restart");
    const options: OutboxOptions = { maxBytes: 1_000_000, policy: "shed-alerts-then-refuse-incidents", ttlS: {} };
    const a = await open(dir, options);
    for (let i = 0; i < 10; i++) await a.outbox.append(i % 2 ? "alerts" : "incidents", "t", body(100 + i));
    const before = a.outbox.stats;
    await a.close();
    const b = await open(dir, options);
    assert.deepEqual(b.outbox.stats.bytes, before.bytes);
    assert.equal(b.outbox.stats.used_bytes, before.used_bytes);
    await b.close();
  });

  void it("unsent alerts past their TTL are dropped; incidents without a TTL and audit are kept", async (t) => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const s = await open(
      join(root, "ttl"),
      { maxBytes: 1_000_000, policy: "shed-alerts-then-refuse-incidents", ttlS: { alerts: 60 } },
      () => new Date(clock),
    );
    t.after(() => s.close());
    await s.outbox.append("alerts", "camera.offline", { old: true });
    await s.outbox.append("incidents", "incident.created", { old: true });
    await s.outbox.append("audit", "audit.entry", { old: true });
    clock += 30_000;
    await s.outbox.append("alerts", "camera.online", { old: false });
    clock += 40_000;
    assert.equal(await s.outbox.sweepExpired(), 1);
    assert.deepEqual(
      (await s.outbox.read("alerts", 0, 10)).map((e) => e.envelope.type),
      ["camera.online"],
    );
    assert.equal(await s.outbox.depth("incidents"), 1);
    assert.equal(await s.outbox.depth("audit"), 1);
    assert.equal(s.outbox.stats.expired, 1);
  });
});
