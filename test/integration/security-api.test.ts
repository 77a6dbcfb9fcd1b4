// The operator API attacked as an outsider would: every route of the route table without a
// token, with an expired one, one signed by another key, `alg: none`, a tampered payload, and a
// role too low; brute force until lockout; floods; oversize and malformed bodies. Each gets its
// status and code, and none of it changes what is stored.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { SignJWT } from "jose";
import { ROLES, type Role, type RouteAccess } from "../../src/contract/roles.js";
import { collectRouteTable } from "../../src/http/route-access.js";
import { CONSOLE_PAGES, FIELD_CONSOLE_PAGES } from "../../src/http/console/console-routes.js";
import { HttpServer } from "../../src/http/server.js";
import { denyAll, quietLogger } from "../helpers/http-app.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";
import { freePort } from "../helpers/free-port.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { addUser, bearer, errorCode, login, loginOk, PASSWORD } from "../helpers/auth-client.js";
import { appWith } from "../helpers/http-app.js";
import { ErrorCodes } from "../../src/core/errors.js";

let dir: string;
let stack: AuthStack;
let routes: Array<{ method: string; url: string; access: RouteAccess | undefined }> = [];
const tokens = new Map<Role, string>();

const SAMPLE_PARAMS: Record<string, string> = {
  username: "alice",
  id: "0123456789abcdef01234567",
  keyId: "abcdefghijklmnop",
  cameraId: "lobby",
};
const concrete = (url: string): string =>
  url.replace(/:([A-Za-z]+)/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? "x");
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-sec-"));
  stack = await openAuthStack(dir, { before: [(app) => void (routes = collectRouteTable(app))] });
  for (const role of ROLES) {
    await addUser(stack.auth, role, role);
    tokens.set(role, (await loginOk(stack.app, role, PASSWORD, `10.0.0.${ROLES.indexOf(role) + 10}`)).access_token);
  }
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

/** Forged tokens: the claims of a real viewer token, re-signed or re-shaped by an attacker. */
async function forgeries(): Promise<Record<string, string>> {
  const real = tokens.get("viewer") ?? "";
  const [header, payload] = real.split(".");
  const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
  const key = stack.auth.ring.current;
  const sign = (c: Record<string, unknown>, k: Uint8Array, kid = key.kid) =>
    new SignJWT(c).setProtectedHeader({ alg: "HS256", kid, typ: "at+jwt" }).sign(k);
  const now = Math.floor(Date.now() / 1000);
  return {
    expired: await sign({ ...claims, sub: "admin", role: "admin", iat: now - 3600, exp: now - 1800 }, key.key),
    "other key": await sign({ ...claims, sub: "admin", role: "admin" }, randomBytes(32)),
    "other key, unknown kid": await sign(
      { ...claims, sub: "admin", role: "admin" },
      randomBytes(32),
      "0000000000000000",
    ),
    "alg none": `${b64({ alg: "none", typ: "at+jwt", kid: key.kid })}.${b64({ ...claims, sub: "admin", role: "admin" })}.`,
    "tampered payload": `${header ?? ""}.${b64({ ...claims, sub: "admin", role: "admin" })}.${real.split(".")[2] ?? ""}`,
    "wrong audience": await sign({ ...claims, aud: "someone-else" }, key.key),
    garbage: "not-a-jwt",
  };
}

void describe("the route table", () => {
  void it("every route declares its access; only the login, the probes and the console's static pages are public", () => {
    assert.ok(routes.length >= 15, `${routes.length} routes`);
    for (const r of routes) assert.ok(r.access, `${r.method} ${r.url} declares no access`);
    const publicRoutes = routes
      .filter((r) => r.access?.kind === "public" && r.method !== "HEAD")
      .map((r) => `${r.method} ${r.url}`);
    // The console's pages and assets are the same static files for everyone (built when dist/console
    // exists); everything they show comes from /v1, which needs a token.
    const consolePages = [...CONSOLE_PAGES, ...FIELD_CONSOLE_PAGES, "/assets/*"].map((p) => `GET ${p}`);
    const api = publicRoutes.filter((r) => !consolePages.includes(r));
    assert.deepEqual(api.sort(), ["GET /healthz", "GET /readyz", "POST /v1/auth/login", "POST /v1/auth/refresh"]);
  });

  void it("registering a route without an access declaration fails, so the daemon cannot start with one", async () => {
    await assert.rejects(
      appWith([(app) => void app.get("/v1/oops", async () => ({ secret: true }))]),
      /declares no access/,
    );
  });

  void it("every protected route refuses no token, forged and expired tokens (401) and too low a role (403), changing nothing", async () => {
    const forged = await forgeries();
    const before = await stack.snapshot();
    for (const r of routes.filter((x) => x.access && x.access.kind !== "public" && x.method !== "HEAD")) {
      const url = concrete(r.url);
      const inject = (headers: Record<string, string>) =>
        stack.app.inject({
          method: r.method as "GET",
          url,
          headers,
          payload: r.method === "GET" || r.method === "DELETE" ? undefined : {},
        });
      const none = await inject({});
      assert.equal(none.statusCode, 401, `${r.method} ${url} without a token`);
      assert.equal(errorCode(none), "VIGIL_E_UNAUTHENTICATED");
      for (const [name, token] of Object.entries(forged)) {
        const res = await inject(bearer(token));
        assert.equal(res.statusCode, 401, `${r.method} ${url} with ${name}`);
        assert.equal(errorCode(res), "VIGIL_E_UNAUTHENTICATED");
      }
      if (r.access?.kind === "role") {
        const needed = ROLES.indexOf(r.access.role);
        for (const lower of ROLES.slice(0, needed)) {
          const res = await inject(bearer(tokens.get(lower) ?? ""));
          assert.equal(res.statusCode, 403, `${r.method} ${url} as ${lower}`);
          assert.equal(errorCode(res), "VIGIL_E_FORBIDDEN");
        }
      }
    }
    assert.equal(await stack.snapshot(), before, "refused requests changed the store");
    const denied = (await stack.auditEntries()).filter((e) => e.action === "auth.token" && e.result === "denied");
    assert.ok(denied.some((e) => (e.details as { reason?: string }).reason === "bad_signature"));
    assert.ok(denied.some((e) => (e.details as { reason?: string }).reason === "expired"));
  });

  void it("plain HTTP on a network address is refused at start unless the installer allows it", async () => {
    const port = await freePort();
    const server = new HttpServer(`0.0.0.0:${port}`, async () => ({ authenticator: denyAll, routes: [] }), quietLogger);
    await expectVigilAsync(server.start(), ErrorCodes.CONFIG_INVALID);
    const allowed = new HttpServer(
      `0.0.0.0:${port}`,
      async () => ({ authenticator: denyAll, routes: [] }),
      quietLogger,
      { allowPlainHttp: true },
    );
    await allowed.start();
    await allowed.stop();
  });

  void it("a flood of forged tokens is refused every time but audited once per source and reason a minute", async () => {
    const before = (await stack.auditEntries()).length;
    for (let i = 0; i < 200; i++) {
      const r = await stack.app.inject({
        method: "GET",
        url: "/v1/auth/me",
        headers: bearer("a.b.c"),
        remoteAddress: "10.99.0.1",
      });
      assert.equal(r.statusCode, 401);
    }
    const added = (await stack.auditEntries())
      .slice(before)
      .filter((e) => e.action === "auth.token" && e.source === "10.99.0.1");
    assert.equal(added.length, 1);
  });

  void it("security headers are on every answer: success, 401, 404", async () => {
    const answers = [
      await stack.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(tokens.get("viewer") ?? "") }),
      await stack.app.inject({ method: "GET", url: "/v1/auth/me" }),
      await stack.app.inject({ method: "GET", url: "/v1/nothing-here" }),
    ];
    for (const r of answers) {
      assert.equal(r.headers["x-content-type-options"], "nosniff");
      assert.equal(r.headers["x-frame-options"], "SAMEORIGIN");
      assert.ok(r.headers["content-security-policy"]);
      assert.equal(r.headers["referrer-policy"], "no-referrer");
    }
  });
});

void describe("credential guessing", () => {
  void it("unknown user, wrong password and locked account get the same answer", async () => {
    await addUser(stack.auth, "target", "viewer");
    const unknown = await login(stack.app, "nobody-here", PASSWORD, "10.5.0.1");
    const wrong = await login(stack.app, "target", "Wr0ng-Password-here!", "10.5.0.2");
    // Lockout is per account and source (issue 15): five failures from one address lock it there.
    for (let i = 0; i < 5; i++) await login(stack.app, "target", "Wr0ng-Password-here!", "10.5.0.3");
    const locked = await login(stack.app, "target", PASSWORD, "10.5.0.3");
    for (const r of [unknown, wrong, locked]) {
      assert.equal(r.statusCode, 401);
      assert.deepEqual(r.json(), { error: { code: "VIGIL_E_UNAUTHENTICATED", message: "invalid credentials" } });
    }
    const reasons = (await stack.auditEntries())
      .filter((e) => e.action === "auth.login" && e.result === "denied")
      .map((e) => (e.details as { reason: string }).reason);
    for (const reason of ["unknown_user", "bad_password"]) assert.ok(reasons.includes(reason), reason);
    // Failed logins are audited once per source a minute (issue 15): the lock itself always is.
    assert.ok((await stack.auditEntries()).some((e) => e.action === "auth.lockout" && e.target === "user:target"));
  });

  void it("a login flood from one address is cut off with 429, Retry-After and X-RateLimit-*, and audited once", async () => {
    const limit = stack.config.auth.rate_limit.login_per_ip_per_minute;
    let last = await login(stack.app, "flood", "Wr0ng-Password-here!", "10.66.0.1");
    // The headers show the limit closest to running out (here the per-account one).
    assert.ok(Number(last.headers["x-ratelimit-limit"]) > 0);
    for (let i = 1; i <= limit + 2; i++)
      last = await login(stack.app, `flood${i}`, "Wr0ng-Password-here!", "10.66.0.1");
    assert.equal(last.statusCode, 429);
    assert.equal(errorCode(last), "VIGIL_E_RATE_LIMITED");
    assert.equal(last.headers["x-ratelimit-limit"], String(limit));
    assert.ok(Number(last.headers["retry-after"]) > 0);
    assert.equal(last.headers["x-ratelimit-remaining"], "0");
    assert.ok(Number(last.headers["x-ratelimit-reset"]) > 0);
    // The audit entry is written beside the 429, not before it: wait for it to land.
    const hitsOf = async () =>
      (await stack.auditEntries()).filter((e) => e.action === "auth.rate_limited" && e.source === "10.66.0.1");
    for (let i = 0; i < 50 && (await hitsOf()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await hitsOf()).length, 1);
    // Another address is not punished for it.
    assert.equal((await login(stack.app, "target2", "Wr0ng-Password-here!", "10.66.0.2")).statusCode, 401);
  });

  void it("more failed logins a minute than the threshold raise a security.login_flood alert", async () => {
    const alerts = async () =>
      (await stack.store.db.sublevels.outbox.values().all()).filter((v) =>
        JSON.stringify(v).includes("security.login_flood"),
      );
    for (let i = 0; i < 12; i++) await login(stack.app, `spray${i}`, "Wr0ng-Password-here!", `10.77.0.${i}`);
    assert.ok((await alerts()).length >= 1);
    assert.match(stack.auth.security.degradedReason ?? "", /failed logins/);
  });
});

void describe("malformed and oversize requests", () => {
  const post = (app: FastifyInstance, payload: string, contentType = "application/json") =>
    app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload,
      headers: { "content-type": contentType },
      remoteAddress: "10.88.0.1",
    });

  void it("answer 400 naming the field, 413, or 415, with a code, and change nothing", async () => {
    const before = await stack.snapshot();
    const missing = await post(stack.app, JSON.stringify({ username: "alice" }));
    assert.equal(missing.statusCode, 400);
    assert.equal(errorCode(missing), "VIGIL_E_VALIDATION");
    assert.match(missing.json<{ error: { field: string } }>().error.field, /^body/);
    const extra = await post(stack.app, JSON.stringify({ username: "alice", password: "x", admin: true }));
    assert.equal(extra.statusCode, 400);
    const typed = await post(stack.app, JSON.stringify({ username: 5, password: "x" }));
    assert.equal(typed.statusCode, 400);
    assert.equal(typed.json<{ error: { field: string } }>().error.field, "body/username");
    const broken = await post(stack.app, "{not json");
    assert.equal(broken.statusCode, 400);
    assert.equal(errorCode(broken), "VIGIL_E_VALIDATION");
    const huge = await post(stack.app, JSON.stringify({ username: "a", password: "x".repeat(200_000) }));
    assert.equal(huge.statusCode, 413);
    assert.equal(errorCode(huge), "VIGIL_E_PAYLOAD_TOO_LARGE");
    const xml = await post(stack.app, "<login/>", "application/xml");
    assert.equal(xml.statusCode, 415);
    assert.equal(errorCode(xml), "VIGIL_E_UNSUPPORTED_MEDIA_TYPE");
    assert.equal(await stack.snapshot(), before);
  });
});
