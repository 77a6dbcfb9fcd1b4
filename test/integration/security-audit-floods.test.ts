// Issue 15, finding 4: refusals a few addresses can produce in floods (unknown refresh tokens,
// failed logins, camera writes with made-up ids) are audited once per source and reason a
// minute, with the count of the rest; and audit, however much of it waits, never takes the room
// incidents need in the outbox.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCodes } from "../../src/core/errors.js";
import { isVigilError } from "../../src/core/errors.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { openStoreStack } from "../helpers/store-stack.js";

let dir: string;
let stack: AuthStack;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-sec-floods-"));
  stack = await openAuthStack(dir);
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

const entriesFrom = async (source: string, action: string) =>
  (await stack.auditEntries()).filter((e) => e.source === source && e.action === action);
const refused = async (work: Promise<unknown>) => {
  await work.then(
    () => assert.fail("accepted"),
    (err: unknown) => assert.ok(isVigilError(err, ErrorCodes.UNAUTHENTICATED)),
  );
};

void describe("audit floods", () => {
  void it("well-formed but unknown refresh tokens: refused every time, audited once per source and reason", async () => {
    const fake = () => `vr_${randomBytes(12).toString("hex")}_${randomBytes(32).toString("base64url")}`;
    for (let i = 0; i < 100; i++) await refused(stack.auth.auth.refresh(fake(), { ip: "10.41.0.1", userAgent: "bot" }));
    assert.equal((await entriesFrom("10.41.0.1", "auth.refresh")).length, 1);
  });

  void it("failed logins from one source: audited once a minute whatever the reason, the reason still in the entry", async () => {
    for (let i = 0; i < 30; i++)
      await refused(stack.auth.auth.login(`nobody${i}`, "Wr0ng-Password-here!", { ip: "10.41.0.2", userAgent: "bot" }));
    const entries = await entriesFrom("10.41.0.2", "auth.login");
    assert.equal(entries.length, 1);
    assert.equal((entries[0]?.details as { reason?: string }).reason, "unknown_user");
  });

  void it("camera refusals are keyed by source and reason, not by the camera id in the URL", async () => {
    for (let i = 0; i < 40; i++) {
      const r = await stack.app.inject({
        method: "POST",
        url: `/v1/ingest/cam${i}/events`,
        headers: { authorization: "ApiKey vk_abcdefghijklmnop_" + "A".repeat(43) },
        payload: { type: "tamper" },
        remoteAddress: "10.41.0.3",
      });
      assert.equal(r.statusCode, 401);
    }
    assert.equal((await entriesFrom("10.41.0.3", "camera.auth")).length, 1);
  });
});

void describe("the outbox's audit budget", () => {
  void it("audit piling up while the uplink is down never refuses an incident", async () => {
    const store = await openStoreStack(join(dir, "outbox"), {
      outbox: { maxBytes: 64 * 1024, auditMaxBytes: 16 * 1024, policy: "shed-alerts-then-refuse-incidents", ttlS: {} },
    });
    try {
      const junk = "x".repeat(900);
      for (let i = 0; i < 200; i++) await store.outbox.append("audit", "audit.entry", { i, junk });
      assert.equal(store.outbox.stats.audit_over_budget, true);
      for (let i = 0; i < 40; i++) await store.outbox.append("incidents", "incident.created", { i, junk });
      assert.equal(store.outbox.stats.refused, 0);
      assert.equal(await store.outbox.depth("audit"), 200, "audit is kept, never dropped");
    } finally {
      await store.close();
    }
  });
});
