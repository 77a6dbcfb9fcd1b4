// Operators on the real composition (LevelDB, audit chain, argon2, jose) through inject(): login,
// refresh rotation, sessions, logout, password changes, user management, lockout that survives a
// restart, and the signing key ring's rotation.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type AuthStack, openAuthStack, testSecrets } from "../helpers/auth-stack.js";
import { addUser, bearer, errorCode, login, loginOk, PASSWORD, type Tokens } from "../helpers/auth-client.js";

let dir: string;
let stack: AuthStack;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-auth-"));
  stack = await openAuthStack(dir);
});
afterEach(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

void describe("operator login and tokens", () => {
  void it("logs in, answers /me with the current role, and records the login in the audit chain", async () => {
    await addUser(stack.auth, "alice", "operator");
    const tokens = await loginOk(stack.app, "alice");
    assert.equal(tokens.token_type, "Bearer");
    assert.equal(tokens.expires_in, 900);
    assert.match(tokens.refresh_token, /^vr_[0-9a-f]{24}_/);
    const me = await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(tokens.access_token) });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json<{ role: string }>().role, "operator");
    assert.equal(me.headers["cache-control"], "no-store");
    const entry = (await stack.auditEntries()).find((e) => e.action === "auth.login" && e.result === "ok");
    assert.equal(entry?.actor, "alice");
    assert.equal(entry?.source, "10.1.2.3");
  });

  void it("rotates the refresh token on every use; reusing an old one revokes the whole family", async () => {
    await addUser(stack.auth, "alice", "viewer");
    const first = await loginOk(stack.app, "alice");
    const refresh = (token: string) =>
      stack.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refresh_token: token } });
    const second = await refresh(first.refresh_token);
    assert.equal(second.statusCode, 200);
    const rotated = second.json<Tokens>();
    assert.notEqual(rotated.refresh_token, first.refresh_token);
    // The thief replays the first token: refused, and the legitimate holder's tokens die with it.
    const replay = await refresh(first.refresh_token);
    assert.equal(replay.statusCode, 401);
    assert.equal(errorCode(replay), "VIGIL_E_UNAUTHENTICATED");
    assert.equal((await refresh(rotated.refresh_token)).statusCode, 401);
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(rotated.access_token) })).statusCode,
      401,
    );
    assert.ok((await stack.auditEntries()).some((e) => e.action === "auth.refresh_reuse" && e.result === "denied"));
  });

  void it("logout revokes the access token and ends the session; other sessions live on", async () => {
    await addUser(stack.auth, "alice", "viewer");
    const a = await loginOk(stack.app, "alice");
    const b = await loginOk(stack.app, "alice");
    const out = await stack.app.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(a.access_token) });
    assert.equal(out.statusCode, 204);
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(a.access_token) })).statusCode,
      401,
    );
    assert.equal(
      (await stack.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refresh_token: a.refresh_token } }))
        .statusCode,
      401,
    );
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(b.access_token) })).statusCode,
      200,
    );
  });

  void it("lists the caller's sessions, ends one, and logs out everywhere", async () => {
    await addUser(stack.auth, "alice", "viewer");
    const a = await loginOk(stack.app, "alice");
    const b = await loginOk(stack.app, "alice", PASSWORD, "10.9.9.9");
    const list = await stack.app.inject({ method: "GET", url: "/v1/auth/sessions", headers: bearer(a.access_token) });
    const sessions = list.json<{
      sessions: Array<{ id: string; source: string; user_agent: string; current: boolean }>;
    }>().sessions;
    assert.equal(sessions.length, 2);
    assert.deepEqual(sessions.map((s) => s.current).sort(), [false, true]);
    assert.ok(sessions.every((s) => s.user_agent === "test-agent/1.0"));
    const other = sessions.find((s) => !s.current);
    assert.equal(other?.source, "10.9.9.9");
    const end = await stack.app.inject({
      method: "DELETE",
      url: `/v1/auth/sessions/${other?.id ?? ""}`,
      headers: bearer(a.access_token),
    });
    assert.equal(end.statusCode, 204);
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(b.access_token) })).statusCode,
      401,
    );
    const c = await loginOk(stack.app, "alice");
    const all = await stack.app.inject({ method: "DELETE", url: "/v1/auth/sessions", headers: bearer(c.access_token) });
    assert.deepEqual(all.json(), { ended: 2 });
    for (const t of [a, c])
      assert.equal(
        (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(t.access_token) })).statusCode,
        401,
      );
  });

  void it("changing the password needs the current one, applies the policy, and ends every session", async () => {
    await addUser(stack.auth, "alice", "viewer");
    const a = await loginOk(stack.app, "alice");
    const change = (current: string, next: string) =>
      stack.app.inject({
        method: "POST",
        url: "/v1/auth/change-password",
        headers: bearer(a.access_token),
        payload: { current_password: current, new_password: next },
      });
    const wrong = await change("Wr0ng-Password-here!", "N3w-Password-for-alice");
    assert.equal(wrong.statusCode, 401);
    const weak = await change(PASSWORD, "short");
    assert.equal(weak.statusCode, 400);
    assert.equal(errorCode(weak), "VIGIL_E_PASSWORD_POLICY");
    assert.equal((await change(PASSWORD, "N3w-Password-for-alice")).statusCode, 204);
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(a.access_token) })).statusCode,
      401,
    );
    assert.equal((await login(stack.app, "alice")).statusCode, 401);
    await loginOk(stack.app, "alice", "N3w-Password-for-alice");
  });
});

void describe("user management", () => {
  void it("admins create, disable and delete users; disabling ends the user's sessions at once", async () => {
    await addUser(stack.auth, "root", "admin");
    const admin = await loginOk(stack.app, "root");
    const create = await stack.app.inject({
      method: "POST",
      url: "/v1/users",
      headers: bearer(admin.access_token),
      payload: { username: "bob", role: "operator", password: "B0b-has-a-good-one" },
    });
    assert.equal(create.statusCode, 201);
    assert.equal(create.json<{ password_hash?: string }>().password_hash, undefined);
    const dup = await stack.app.inject({
      method: "POST",
      url: "/v1/users",
      headers: bearer(admin.access_token),
      payload: { username: "bob", role: "operator", password: "B0b-has-a-good-one" },
    });
    assert.equal(dup.statusCode, 409);
    assert.equal(errorCode(dup), "VIGIL_E_ALREADY_EXISTS");
    const bob = await loginOk(stack.app, "bob", "B0b-has-a-good-one");
    const disable = await stack.app.inject({
      method: "PATCH",
      url: "/v1/users/bob",
      headers: bearer(admin.access_token),
      payload: { disabled: true },
    });
    assert.equal(disable.statusCode, 200);
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(bob.access_token) })).statusCode,
      401,
    );
    assert.equal((await login(stack.app, "bob", "B0b-has-a-good-one")).statusCode, 401);
    const del = await stack.app.inject({ method: "DELETE", url: "/v1/users/bob", headers: bearer(admin.access_token) });
    assert.equal(del.statusCode, 204);
    const list = await stack.app.inject({ method: "GET", url: "/v1/users", headers: bearer(admin.access_token) });
    assert.deepEqual(
      list.json<{ users: Array<{ username: string }> }>().users.map((u) => u.username),
      ["root"],
    );
    const actions = (await stack.auditEntries()).map((e) => e.action);
    for (const a of ["user.created", "user.disabled", "user.deleted"]) assert.ok(actions.includes(a), a);
  });

  void it("the last active admin cannot be disabled or deleted", async () => {
    await addUser(stack.auth, "root", "admin");
    const admin = await loginOk(stack.app, "root");
    const r = await stack.app.inject({ method: "DELETE", url: "/v1/users/root", headers: bearer(admin.access_token) });
    assert.equal(r.statusCode, 409);
    assert.equal(errorCode(r), "VIGIL_E_CONFLICT");
  });

  void it("an admin's password reset ends the user's sessions and lifts a lockout", async () => {
    await addUser(stack.auth, "root", "admin");
    await addUser(stack.auth, "bob", "viewer");
    const admin = await loginOk(stack.app, "root");
    const bob = await loginOk(stack.app, "bob");
    for (let i = 0; i < 5; i++) await login(stack.app, "bob", "Wr0ng-Password-here!");
    const reset = await stack.app.inject({
      method: "POST",
      url: "/v1/users/bob/password",
      headers: bearer(admin.access_token),
      payload: { password: "Fresh-Start-2026!" },
    });
    assert.equal(reset.statusCode, 204);
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(bob.access_token) })).statusCode,
      401,
    );
    await loginOk(stack.app, "bob", "Fresh-Start-2026!");
  });
});

void describe("lockout and key ring across a restart", () => {
  void it("five failures lock the account, and the lock survives reopening the store", async () => {
    await addUser(stack.auth, "alice", "viewer");
    for (let i = 0; i < 5; i++) assert.equal((await login(stack.app, "alice", "Wr0ng-Password-here!")).statusCode, 401);
    assert.equal((await login(stack.app, "alice")).statusCode, 401, "locked even with the right password");
    assert.ok((await stack.auditEntries()).some((e) => e.action === "auth.lockout"));
    const secrets = testSecrets();
    await stack.close();
    stack = await openAuthStack(dir, { secrets });
    assert.equal((await login(stack.app, "alice")).statusCode, 401, "still locked after a restart");
  });

  void it("tokens survive one key rotation and a restart, and die with the second rotation", async () => {
    const secrets = testSecrets();
    await stack.close();
    stack = await openAuthStack(dir, { secrets });
    await addUser(stack.auth, "alice", "viewer");
    const before = await loginOk(stack.app, "alice");
    const me = (t: string) => stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(t) });
    await stack.auth.ring.rotate();
    assert.equal((await me(before.access_token)).statusCode, 200, "previous key still verifies");
    await stack.close();
    stack = await openAuthStack(dir, { secrets });
    assert.equal((await me(before.access_token)).statusCode, 200, "the ring is durable");
    await stack.auth.ring.rotate();
    assert.equal((await me(before.access_token)).statusCode, 401, "two rotations retire the key");
  });

  void it("a replaced token_signing_key discards the stored ring: old tokens stop working, logins go on", async () => {
    await addUser(stack.auth, "alice", "viewer");
    const before = await loginOk(stack.app, "alice");
    await stack.close();
    stack = await openAuthStack(dir, { secrets: testSecrets() });
    assert.equal(
      (await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(before.access_token) })).statusCode,
      401,
    );
    await loginOk(stack.app, "alice");
  });
});
