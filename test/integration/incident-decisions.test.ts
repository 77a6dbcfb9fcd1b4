// Operators deciding on incidents through the API, on the real store, audit chain and outbox:
// the path to dispatch with the supervisor's approval, roles, illegal steps, concurrent decisions
// (exactly one wins), and every change in the trail and on its way to central.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import { incidentCommandHandlers } from "../../src/incidents/incident-commands.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { addUser, bearer, errorCode, loginOk } from "../helpers/auth-client.js";

let dir: string;
let stack: AuthStack;
const tokens: Record<string, string> = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-incidents-"));
  stack = await openAuthStack(dir);
  for (const [name, r] of [
    ["vic", "viewer"],
    ["otto", "operator"],
    ["olga", "operator"],
    ["sue", "supervisor"],
  ] as const) {
    await addUser(stack.auth, name, r);
    tokens[name] = (await loginOk(stack.app, name)).access_token;
  }
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

const raise = (camera = "lobby") =>
  stack.incidents.create({
    cameraId: camera,
    rule: "face_present",
    objects: [{ label: "face", score: 0.91, box: { x1: 0.1, y1: 0.1, x2: 0.2, y2: 0.2 } }],
    startedAt: Date.now(),
    lastSeenAt: Date.now(),
    summary: `Face seen on ${camera}`,
  });
const decide = (who: string, id: string, body: Record<string, unknown>) =>
  stack.app.inject({
    method: "POST",
    url: `/v1/incidents/${id}/decision`,
    headers: bearer(tokens[who] ?? ""),
    payload: body,
  });
const approve = (who: string, id: string, body: Record<string, unknown> = {}) =>
  stack.app.inject({
    method: "POST",
    url: `/v1/incidents/${id}/approve`,
    headers: bearer(tokens[who] ?? ""),
    payload: body,
  });

void describe("incident decisions", () => {
  void it("operator escalates and requests dispatch; only a supervisor approves; each step is audited and queued", async () => {
    const incident = await raise();
    assert.equal((await decide("otto", incident.id, { action: "escalate" })).statusCode, 200);
    assert.equal(
      (await decide("otto", incident.id, { action: "request_dispatch", note: "intruder after hours" })).statusCode,
      200,
    );
    const byOperator = await approve("otto", incident.id);
    assert.equal(byOperator.statusCode, 403);
    assert.equal(errorCode(byOperator), "VIGIL_E_FORBIDDEN");
    const approved = await approve("sue", incident.id, { version: 3 });
    assert.equal(approved.statusCode, 200, approved.body);
    const body = approved.json<Incident>();
    assert.equal(body.status, "dispatch_authorized");
    assert.equal(body.next_step, "dispatch");
    assert.deepEqual(
      body.history.map((h) => `${h.actor}:${h.action}`),
      ["system:created", "otto:escalate", "otto:request_dispatch", "sue:approve"],
    );
    const audit = (await stack.auditEntries()).filter((e) => e.target === `incident:${incident.id}`);
    assert.deepEqual(
      audit.map((e) => `${e.actor}:${e.action}:${String((e.details as { after: string }).after)}`),
      [
        "otto:incident.decision:escalated",
        "otto:incident.decision:dispatch_pending_review",
        "sue:incident.approved:dispatch_authorized",
      ],
    );
    const updates = ((await stack.store.db.sublevels.outbox.values().all()) as Envelope<Incident>[]).filter(
      (e) => e.type === "incident.updated" && e.data.id === incident.id,
    );
    assert.deepEqual(
      updates.map((e) => e.data.version),
      [2, 3, 4],
    );
  });

  void it("viewers read but cannot decide; illegal steps and missing reasons get their codes", async () => {
    const incident = await raise("yard");
    const read = await stack.app.inject({
      method: "GET",
      url: `/v1/incidents/${incident.id}`,
      headers: bearer(tokens.vic ?? ""),
    });
    assert.equal(read.statusCode, 200);
    assert.equal((await decide("vic", incident.id, { action: "monitor" })).statusCode, 403);
    const illegal = await decide("otto", incident.id, { action: "close" });
    assert.equal(illegal.statusCode, 409);
    assert.equal(errorCode(illegal), "VIGIL_E_INCIDENT_TRANSITION");
    const noReason = await decide("otto", incident.id, { action: "dismiss" });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json<{ error: { field: string } }>().error.field, "body/dismiss_reason");
    const badReason = await decide("otto", incident.id, { action: "dismiss", dismiss_reason: "boredom" });
    assert.equal(badReason.statusCode, 400);
    const dismissed = await decide("otto", incident.id, { action: "dismiss", dismiss_reason: "false_positive_motion" });
    assert.equal(dismissed.json<Incident>().dismiss_reason, "false_positive_motion");
    assert.equal(
      (
        await stack.app.inject({
          method: "GET",
          url: "/v1/incidents/00000000-0000-0000-0000-000000000000",
          headers: bearer(tokens.vic ?? ""),
        })
      ).statusCode,
      404,
    );
  });

  void it("two operators deciding at once: exactly one wins, the other gets a conflict, nothing half-written", async () => {
    for (let round = 0; round < 5; round++) {
      const incident = await raise("dock");
      const [a, b] = await Promise.all([
        decide("otto", incident.id, { action: "escalate", version: 1 }),
        decide("olga", incident.id, { action: "dismiss", dismiss_reason: "normal_behavior", version: 1 }),
      ]);
      const codes = [a.statusCode, b.statusCode].sort();
      assert.deepEqual(codes, [200, 409]);
      const stored = await stack.incidents.get(incident.id);
      assert.equal(stored?.version, 2);
      assert.equal(stored?.history.length, 2);
      const audit = (await stack.auditEntries()).filter((e) => e.target === `incident:${incident.id}`);
      assert.equal(audit.length, 1);
    }
  });

  void it("lists with filters and a cursor, newest first", async () => {
    const list = async (query: string) =>
      (
        await stack.app.inject({ method: "GET", url: `/v1/incidents?${query}`, headers: bearer(tokens.vic ?? "") })
      ).json<{ incidents: Incident[]; next_cursor: string | null }>();
    const dock = await list("camera=dock&limit=2");
    assert.equal(dock.incidents.length, 2);
    assert.ok(dock.next_cursor);
    const rest = await list(`camera=dock&limit=10&cursor=${encodeURIComponent(dock.next_cursor ?? "")}`);
    assert.equal(rest.incidents.length, 3);
    assert.equal(new Set([...dock.incidents, ...rest.incidents].map((i) => i.id)).size, 5);
    const all = [...dock.incidents, ...rest.incidents].map((i) => i.started_at);
    assert.deepEqual(all, [...all].sort().reverse());
    const dismissed = await list("status=dismissed");
    assert.ok(dismissed.incidents.every((i) => i.status === "dismissed") && dismissed.incidents.length >= 1);
    const bad = await stack.app.inject({
      method: "GET",
      url: "/v1/incidents?status=gone",
      headers: bearer(tokens.vic ?? ""),
    });
    assert.equal(bad.statusCode, 400);
  });

  void it("the KPI summary counts what was decided here", async () => {
    const r = await stack.app.inject({
      method: "GET",
      url: "/v1/metrics/summary?range=7d",
      headers: bearer(tokens.vic ?? ""),
    });
    assert.equal(r.statusCode, 200);
    const k = r.json<{
      total: number;
      by_status: Record<string, number>;
      dismiss_reasons: Record<string, number>;
      time_to_decision_s: { decided: number };
    }>();
    assert.ok(k.total >= 7);
    assert.equal(k.by_status.dispatch_authorized, 1);
    assert.ok((k.dismiss_reasons.false_positive_motion ?? 0) >= 1);
    assert.ok(k.time_to_decision_s.decided >= 6);
    assert.equal(
      (
        await stack.app.inject({
          method: "GET",
          url: "/v1/metrics/summary?range=1y",
          headers: bearer(tokens.vic ?? ""),
        })
      ).statusCode,
      400,
    );
  });

  void it("central decides and approves through signed commands, audited as central", async () => {
    const handlers = incidentCommandHandlers(stack.incidents);
    const incident = await raise("gate");
    const ctx = (id: string) => ({ id, name: "incident.decide" });
    await handlers["incident.decide"]({ incident_id: incident.id, action: "escalate" }, ctx("cmd-1"));
    await handlers["incident.decide"]({ incident_id: incident.id, action: "request_dispatch" }, ctx("cmd-2"));
    const approved = await handlers["incident.approve"]({ incident_id: incident.id, version: 3 }, ctx("cmd-3"));
    assert.deepEqual(approved, { incident_id: incident.id, status: "dispatch_authorized", version: 4 });
    await assert.rejects(
      handlers["incident.decide"]({ incident_id: incident.id, action: "dismiss" }, ctx("cmd-4")),
      (e: Error & { code?: string }) => e.code === "VIGIL_E_INCIDENT_TRANSITION",
    );
    await assert.rejects(
      handlers["incident.decide"]({ incident_id: incident.id, action: "nope" }, ctx("cmd-5")),
      (e: Error & { code?: string }) => e.code === "VIGIL_E_VALIDATION",
    );
    const audit = (await stack.auditEntries()).filter((e) => e.target === `incident:${incident.id}`);
    assert.deepEqual(
      audit.map((e) => e.actor),
      ["central:cmd-1", "central:cmd-2", "central:cmd-3"],
    );
  });
});
