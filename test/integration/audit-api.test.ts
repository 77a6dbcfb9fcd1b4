// GET /v1/audit and /v1/audit/verify for supervisors, on the real chain: paging by seq, filters,
// and verification that names the first entry someone changed on disk.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auditKey } from "../../src/store/keys.js";
import type { AuditEntry } from "../../src/contract/audit.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { addUser, bearer, errorCode, login, loginOk } from "../helpers/auth-client.js";

let dir: string;
let stack: AuthStack;
let supervisor = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-audit-api-"));
  stack = await openAuthStack(dir);
  await addUser(stack.auth, "sue", "supervisor");
  await addUser(stack.auth, "otto", "operator");
  supervisor = (await loginOk(stack.app, "sue")).access_token;
  // From three addresses: failed logins are audited once per source a minute (issue 15).
  for (let i = 0; i < 3; i++) await login(stack.app, "otto", "Wr0ng-Password-here!", `10.2.0.${i + 1}`);
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

type Page = { entries: AuditEntry[]; next_after_seq: number | null; head_seq: number };

void describe("the audit API", () => {
  void it("pages through entries by seq and filters by action and actor", async () => {
    const first = await stack.app.inject({ method: "GET", url: "/v1/audit?limit=2", headers: bearer(supervisor) });
    assert.equal(first.statusCode, 200);
    const page = first.json<Page>();
    assert.deepEqual(
      page.entries.map((e) => e.seq),
      [1, 2],
    );
    const next = (
      await stack.app.inject({
        method: "GET",
        url: `/v1/audit?limit=2&after_seq=${page.next_after_seq ?? 0}`,
        headers: bearer(supervisor),
      })
    ).json<Page>();
    assert.deepEqual(
      next.entries.map((e) => e.seq),
      [3, 4],
    );
    const denied = (
      await stack.app.inject({
        method: "GET",
        url: "/v1/audit?action=auth.login&actor=otto",
        headers: bearer(supervisor),
      })
    ).json<Page>();
    assert.equal(denied.entries.length, 3);
    assert.ok(denied.entries.every((e) => e.result === "denied" && e.actor === "otto"));
    const bad = await stack.app.inject({ method: "GET", url: "/v1/audit?limit=0", headers: bearer(supervisor) });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorCode(bad), "VIGIL_E_VALIDATION");
  });

  void it("operators may not read the trail", async () => {
    const otto = await stack.app.inject({
      method: "GET",
      url: "/v1/audit",
      headers: bearer((await loginOk(stack.app, "otto")).access_token),
    });
    assert.equal(otto.statusCode, 403);
  });

  void it("verify is ok on an intact chain and names the first entry changed on disk", async () => {
    const ok = await stack.app.inject({ method: "GET", url: "/v1/audit/verify", headers: bearer(supervisor) });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json<{ ok: boolean }>().ok, true);
    const sub = stack.store.db.sublevels.audit;
    const victim = (await sub.get(auditKey(3))) as AuditEntry;
    await sub.put(auditKey(3), { ...victim, actor: "someone-else" });
    const broken = (
      await stack.app.inject({ method: "GET", url: "/v1/audit/verify", headers: bearer(supervisor) })
    ).json<{ ok: boolean; firstBad?: { seq: number } }>();
    assert.equal(broken.ok, false);
    assert.equal(broken.firstBad?.seq, 3);
  });
});
