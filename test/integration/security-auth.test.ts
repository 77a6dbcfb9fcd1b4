// Issue 15, findings 7 and 8: refresh tokens used twice at once, and lockout that a stranger
// cannot turn against `admin`: per account and source (IPv6 per /64), growing, with a ceiling
// for the account as a whole; no password change while locked; a bounded flood monitor.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { afterFailure } from "../../src/auth/lockout.js";
import { MAX_SOURCES, SecurityMonitor } from "../../src/auth/security-monitor.js";
import { sourceKey } from "../../src/auth/source-key.js";
import { ErrorCodes, isVigilError } from "../../src/core/errors.js";
import { addUser, bearer, errorCode, login, loginOk, PASSWORD } from "../helpers/auth-client.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const WRONG = "Wr0ng-Password-here!";
let dir: string;
let stack: AuthStack;
const client = (ip: string) => ({ ip, userAgent: "test" });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-sec-auth-"));
  stack = await openAuthStack(dir, {
    config: { auth: { argon2: { memory_kib: 19_456, time_cost: 2 }, lockout: { user_max_failures: 12 } } },
  });
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

async function fail(username: string, ip: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await stack.auth.auth.login(username, WRONG, client(ip)).then(
      () => assert.fail("accepted"),
      (err: unknown) => assert.ok(isVigilError(err, ErrorCodes.UNAUTHENTICATED)),
    );
  }
}

void describe("refresh token rotation", () => {
  void it("two concurrent uses of one refresh token: one rotates, the other is reuse and ends the family", async () => {
    await addUser(stack.auth, "racer", "viewer");
    const tokens = await loginOk(stack.app, "racer", PASSWORD, "10.71.0.1");
    const results = await Promise.allSettled([
      stack.auth.auth.refresh(tokens.refresh_token, client("10.71.0.1")),
      stack.auth.auth.refresh(tokens.refresh_token, client("10.71.0.2")),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    const reuse = (await stack.auditEntries()).filter((e) => e.action === "auth.refresh_reuse" && e.actor === "racer");
    assert.equal(reuse.length, 1, "the loser reads as reuse, not as a mismatch");
    const winner = results.find((r) => r.status === "fulfilled");
    assert.ok(winner?.status === "fulfilled");
    // The family is ended: the winner's new tokens are dead too.
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(winner.value.access_token) }))
        .statusCode,
      401,
    );
  });
});

void describe("lockout", () => {
  void it("failures from one source lock the account there only; the owner logs in from elsewhere", async () => {
    await addUser(stack.auth, "admin", "admin");
    await fail("admin", "10.72.0.66", 5);
    assert.equal(
      (await login(stack.app, "admin", PASSWORD, "10.72.0.66")).statusCode,
      401,
      "locked for the attacker's address",
    );
    assert.equal((await login(stack.app, "admin", PASSWORD, "10.72.0.10")).statusCode, 200, "not for the admin's");
    const lock = (await stack.auditEntries()).find((e) => e.action === "auth.lockout" && e.target === "user:admin");
    assert.equal((lock?.details as { scope?: string }).scope, "source");
  });

  void it("an IPv6 /64 is one source", async () => {
    await addUser(stack.auth, "v6", "viewer");
    for (let i = 1; i <= 5; i++) await fail("v6", `2001:db8:1:2::${i}`, 1);
    assert.equal(
      (await login(stack.app, "v6", PASSWORD, "2001:db8:1:2:ffff::99")).statusCode,
      401,
      "another address of the same /64 is locked too",
    );
    assert.equal((await login(stack.app, "v6", PASSWORD, "2001:db8:1:3::1")).statusCode, 200, "another /64 is not");
    assert.equal(sourceKey("2001:0db8:0001:0002:0000:0000:0000:0005"), "2001:db8:1:2::/64");
    assert.equal(sourceKey("::ffff:10.1.2.3"), "10.1.2.3");
  });

  void it("a ceiling for the account as a whole locks it everywhere", async () => {
    await addUser(stack.auth, "sprayed", "viewer");
    for (let i = 0; i < 12; i++) await fail("sprayed", `10.73.0.${i}`, 1);
    assert.equal((await login(stack.app, "sprayed", PASSWORD, "10.73.1.1")).statusCode, 401);
    const lock = (await stack.auditEntries()).find((e) => e.action === "auth.lockout" && e.target === "user:sprayed");
    assert.equal((lock?.details as { scope?: string }).scope, "account");
  });

  void it("each further lock of the same source is twice as long, up to the maximum", () => {
    const policy = { maxFailures: 2, windowMs: 60_000, lockMs: 1000, maxLockMs: 3000 };
    let record = afterFailure(undefined, 0, policy).record;
    const lengths: number[] = [];
    let now = 0;
    for (let lock = 0; lock < 4; lock++) {
      const step = afterFailure(record, ++now, policy);
      assert.equal(step.lockedNow, true);
      lengths.push((step.record.locked_until ?? 0) - now);
      now = step.record.locked_until ?? now;
      record = afterFailure(step.record, ++now, policy).record;
    }
    assert.deepEqual(lengths, [1000, 2000, 3000, 3000]);
  });

  void it("change-password is refused while the account is locked", async () => {
    await addUser(stack.auth, "locked", "viewer");
    const tokens = await loginOk(stack.app, "locked", PASSWORD, "10.74.0.1");
    await fail("locked", "10.74.0.1", 5);
    const r = await stack.app.inject({
      method: "POST",
      url: "/v1/auth/change-password",
      headers: bearer(tokens.access_token),
      payload: { current_password: PASSWORD, new_password: "Br4nd-New-Passw0rd!" },
      remoteAddress: "10.74.0.1",
    });
    assert.equal(r.statusCode, 423, r.body);
    assert.equal(errorCode(r), ErrorCodes.ACCOUNT_LOCKED);
    assert.equal(
      (await login(stack.app, "locked", "Br4nd-New-Passw0rd!", "10.74.0.2")).statusCode,
      401,
      "the password did not change",
    );
  });

  void it("the flood monitor keeps a bounded set of sources", () => {
    const monitor = new SecurityMonitor(10, async () => undefined, silentLogger());
    for (let i = 0; i < 5000; i++) monitor.loginFailed("x", `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.ok(monitor.trackedSources <= MAX_SOURCES + 1, `${monitor.trackedSources} sources`);
  });
});
