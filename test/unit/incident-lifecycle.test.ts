import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Incident, IncidentStatus } from "../../src/contract/incident.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { allowedActions, applyDecision, DECISION_ACTIONS } from "../../src/incidents/lifecycle.js";
import { expectVigil } from "../helpers/expect-vigil.js";

const incident = (status: IncidentStatus, version = 1): Incident => ({
  id: "0b5f0d3e-1111-4a4a-9c9c-000000000001",
  version,
  camera_id: "lobby",
  rule: "face_present",
  zone: null,
  status,
  confidence: 0.9,
  objects: [],
  started_at: "2026-11-22T10:00:00.000Z",
  last_seen_at: "2026-11-22T10:00:05.000Z",
  ended_at: null,
  summary: "Face seen on lobby",
  next_step: "monitor",
  history: [],
});
const at = "2026-11-22T10:01:00.000Z";

void describe("incident lifecycle", () => {
  void it("follows the documented path to dispatch, with next_step dispatch only after approval", () => {
    let i = incident("open");
    for (const [action, status, step] of [
      ["escalate", "escalated", "notify"],
      ["request_dispatch", "dispatch_pending_review", "notify"],
      ["approve", "dispatch_authorized", "dispatch"],
      ["close", "closed", "monitor"],
    ] as const) {
      i = applyDecision(i, { action, actor: action === "approve" ? "sup" : "op", at });
      assert.equal(i.status, status);
      assert.equal(i.next_step, step);
    }
    assert.equal(i.version, 5);
    assert.deepEqual(
      i.history.map((h) => [h.before, h.after]),
      [
        ["open", "escalated"],
        ["escalated", "dispatch_pending_review"],
        ["dispatch_pending_review", "dispatch_authorized"],
        ["dispatch_authorized", "closed"],
      ],
    );
  });

  void it("a dismissal needs its reason, and only a dismissal takes one", () => {
    expectVigil(() => applyDecision(incident("open"), { action: "dismiss", actor: "op", at }), ErrorCodes.VALIDATION);
    expectVigil(
      () => applyDecision(incident("open"), { action: "monitor", actor: "op", at, reason: "weather" }),
      ErrorCodes.VALIDATION,
    );
    const d = applyDecision(incident("open"), {
      action: "dismiss",
      actor: "op",
      at,
      reason: "weather",
      note: "snow on the lens",
    });
    assert.equal(d.status, "dismissed");
    assert.equal(d.dismiss_reason, "weather");
    assert.equal(d.history.at(-1)?.note, "snow on the lens");
  });

  void it("refuses illegal transitions and stale versions with their codes, changing nothing", () => {
    expectVigil(
      () => applyDecision(incident("open"), { action: "approve", actor: "sup", at }),
      ErrorCodes.INCIDENT_TRANSITION,
    );
    expectVigil(
      () => applyDecision(incident("dismissed"), { action: "escalate", actor: "op", at }),
      ErrorCodes.INCIDENT_TRANSITION,
    );
    expectVigil(
      () => applyDecision(incident("open", 3), { action: "monitor", actor: "op", at, expectedVersion: 2 }),
      ErrorCodes.CONFLICT,
    );
  });

  void it("four eyes: whoever requested a dispatch cannot approve it, unless the site allows self-approval", () => {
    const pending = applyDecision(applyDecision(incident("open"), { action: "escalate", actor: "op", at }), {
      action: "request_dispatch",
      actor: "sup",
      at,
    });
    expectVigil(() => applyDecision(pending, { action: "approve", actor: "sup", at }), ErrorCodes.FOUR_EYES);
    assert.equal(applyDecision(pending, { action: "approve", actor: "sup2", at }).status, "dispatch_authorized");
    assert.equal(
      applyDecision(pending, { action: "approve", actor: "sup", at }, { allowSelfApproval: true }).status,
      "dispatch_authorized",
    );
  });

  void it("any sequence of decisions keeps version = 1 + accepted steps and history in step with status", () => {
    const action = fc.constantFrom(...DECISION_ACTIONS, "approve" as const);
    fc.assert(
      fc.property(fc.array(action, { maxLength: 20 }), (actions) => {
        let i = incident("open");
        let accepted = 0;
        for (const a of actions) {
          const legal = allowedActions(i.status).includes(a);
          try {
            i = applyDecision(i, {
              action: a,
              actor: a === "approve" ? "y" : "x",
              at,
              ...(a === "dismiss" ? { reason: "unknown" as const } : {}),
            });
            accepted++;
            if (!legal) return false;
          } catch {
            if (legal) return false;
          }
        }
        return (
          i.version === 1 + accepted &&
          i.history.length === accepted &&
          (i.history.at(-1)?.after ?? "open") === i.status
        );
      }),
    );
  });
});
