import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { StreamName } from "../../src/contract/envelope.js";
import { OutboxBudget } from "../../src/store/outbox-budget.js";

const stream = fc.constantFrom<StreamName>("incidents", "audit", "alerts");

void describe("OutboxBudget admission (shed-alerts-then-refuse-incidents)", () => {
  void it("never refuses audit, keeps others within the budget, and drops only alerts, oldest first", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 5000 }),
        fc.array(fc.tuple(stream, fc.integer({ min: 1, max: 800 })), { maxLength: 80 }),
        (max, arrivals) => {
          const budget = new OutboxBudget(max);
          const live: { key: string; stream: StreamName }[] = [];
          arrivals.forEach(([s, bytes], i) => {
            const key = `${s}!${String(i).padStart(4, "0")}`;
            const before = budget.usedBytes;
            const sharedBefore = budget.sharedBytes;
            const decision = budget.admit(s, bytes);
            if (s === "audit") assert.equal(decision.accept, true);
            if (!decision.accept) {
              assert.notEqual(s, "audit");
              assert.equal(budget.usedBytes, before, "a refusal changes nothing");
              return;
            }
            const queuedAlerts = live.filter((e) => e.stream === "alerts").map((e) => e.key);
            assert.deepEqual(decision.drop, queuedAlerts.slice(0, decision.drop.length), "only alerts, oldest first");
            for (const k of decision.drop) {
              budget.remove(k);
              live.splice(
                live.findIndex((e) => e.key === k),
                1,
              );
            }
            budget.add(key, s, bytes, i);
            live.push({ key, stream: s });
            if (s !== "audit")
              assert.ok(
                budget.sharedBytes <= Math.max(max, sharedBefore),
                "non-audit admission stays within the budget",
              );
          });
        },
      ),
    );
  });

  void it("refuses an incident only when no alert is left to drop", () => {
    const budget = new OutboxBudget(1000);
    budget.add("incidents!1", "incidents", 600, 0);
    budget.add("alerts!1", "alerts", 300, 0);
    assert.deepEqual(budget.admit("incidents", 350), { accept: true, drop: ["alerts!1"] });
    budget.remove("alerts!1");
    budget.add("incidents!2", "incidents", 300, 0);
    assert.deepEqual(budget.admit("incidents", 350), { accept: false, drop: [] });
    assert.deepEqual(budget.admit("incidents", 350, true), { accept: true, drop: [] });
  });

  void it("accounts per stream and finds expired entries of one stream", () => {
    const budget = new OutboxBudget(10_000);
    budget.add("alerts!1", "alerts", 10, 1000);
    budget.add("alerts!2", "alerts", 20, 5000);
    budget.add("incidents!1", "incidents", 40, 0);
    assert.deepEqual([budget.bytes("alerts"), budget.bytes("incidents"), budget.usedBytes], [30, 40, 70]);
    assert.deepEqual(budget.expired("alerts", 2000), ["alerts!1"]);
    budget.remove("alerts!1");
    budget.remove("alerts!1");
    assert.equal(budget.usedBytes, 60);
  });

  void it("depth and oldest per stream follow a model of the queue", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), stream), { maxLength: 120 }), (ops) => {
        const budget = new OutboxBudget(1_000_000);
        const model: Array<{ key: string; stream: StreamName; ts: number }> = [];
        let n = 0;
        for (const [add, st] of ops) {
          if (add || model.length === 0) {
            const key = `${st}!${n}`;
            budget.add(key, st, 10, n);
            model.push({ key, stream: st, ts: n });
            n++;
          } else {
            const victim = model.shift();
            if (victim) budget.remove(victim.key);
          }
        }
        const streams: StreamName[] = ["incidents", "audit", "alerts"];
        const oldest = budget.oldest(streams);
        return streams.every((st) => {
          const mine = model.filter((m) => m.stream === st);
          return budget.depth(st) === mine.length && oldest.get(st) === mine[0]?.ts;
        });
      }),
    );
  });

  void it("audit has its own budget: it never takes the room incidents need (issue 15)", () => {
    const budget = new OutboxBudget(1000, 500);
    budget.add("incidents!1", "incidents", 400, 0);
    for (let i = 0; i < 50; i++) {
      assert.equal(budget.admit("audit", 100).accept, true, "audit is never refused");
      budget.add(`audit!${i}`, "audit", 100, i);
    }
    assert.equal(budget.auditOverBudget, true);
    assert.deepEqual(
      budget.admit("incidents", 600),
      { accept: true, drop: [] },
      "the incidents' room is untouched by 5 KB of audit",
    );
    assert.equal(budget.admit("incidents", 601).accept, false);
  });
});
