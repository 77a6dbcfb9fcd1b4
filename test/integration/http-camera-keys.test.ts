// The admin routes for camera API keys, through fastify inject() with the real access hook, error
// mapping, TypeBox validation and key store; a test authenticator stands in for JWT
// (`x-test-user: <name>:<role>`).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { parseApiKey } from "../../src/auth/api-keys/api-key-format.js";
import { ApiKeyService } from "../../src/auth/api-keys/api-key-service.js";
import { ApiKeyStore } from "../../src/auth/api-keys/api-key-store.js";
import type { AuditEntry, AuditInput } from "../../src/contract/audit.js";
import { isRole, roleIncludes } from "../../src/contract/roles.js";
import { ErrorCodes, VigilError } from "../../src/core/errors.js";
import { registerErrorHandler } from "../../src/http/errors.js";
import { collectRouteTable, enforceRouteAccess, type RequestAuthenticator } from "../../src/http/route-access.js";
import { registerCameraKeyRoutes } from "../../src/http/routes/camera-keys.js";
import { useTypeBoxValidation } from "../../src/http/validation.js";
import { openStoreStack, type StoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const testAuth: RequestAuthenticator = {
  async user(request, needed) {
    const [username, role] = String(request.headers["x-test-user"] ?? "").split(":");
    if (!username || !isRole(role)) throw new VigilError(ErrorCodes.UNAUTHENTICATED, "invalid or expired credentials");
    if (!roleIncludes(role, needed)) throw new VigilError(ErrorCodes.FORBIDDEN, `requires ${needed}`);
    return { kind: "user", username, role, sessionId: "s1", tokenId: "t1", tokenExpiresAt: 0 };
  },
  async camera() {
    throw new VigilError(ErrorCodes.UNAUTHENTICATED, "invalid or expired credentials");
  },
};

const ADMIN = { "x-test-user": "alice:admin" };
type ErrorBody = { error: { code: string; message: string } };

void describe("camera key routes", () => {
  let root: string;
  let stack: StoreStack;
  let store: ApiKeyStore;
  let app: FastifyInstance;
  const audited: AuditInput[] = [];
  let routes: ReturnType<typeof collectRouteTable>;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-key-routes-"));
    const log = silentLogger();
    stack = await openStoreStack(root, { log });
    store = new ApiKeyStore(stack.db, stack.commits, log, { usageFlushMs: 0 });
    await store.start();
    const audit = {
      record: async (input: AuditInput): Promise<AuditEntry> => {
        audited.push(input);
        return { ...input, seq: audited.length, ts: "", prev_mac: "", mac: "" };
      },
    };
    const keys = new ApiKeyService({ store, audit, cameraExists: (id) => id === "lobby" || id === "yard" });
    app = Fastify({ logger: false });
    routes = collectRouteTable(app);
    enforceRouteAccess(app, testAuth);
    registerErrorHandler(app, log);
    useTypeBoxValidation(app);
    registerCameraKeyRoutes(app, { keys });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.stop();
    await stack.close();
    await rm(root, { recursive: true, force: true });
  });

  void it("every route is admin-only: no caller is 401, a supervisor 403, and nothing changes", async () => {
    assert.deepEqual(
      routes.filter((r) => r.method !== "HEAD").map((r) => [r.method, r.url, r.access]),
      [
        ["POST", "/v1/cameras/:id/keys", { kind: "role", role: "admin" }],
        ["GET", "/v1/cameras/:id/keys", { kind: "role", role: "admin" }],
        ["DELETE", "/v1/keys/:keyId", { kind: "role", role: "admin" }],
      ],
    );
    const calls = [
      { method: "POST", url: "/v1/cameras/lobby/keys", payload: {} },
      { method: "GET", url: "/v1/cameras/lobby/keys" },
      { method: "DELETE", url: "/v1/keys/abcdefghijklmnop" },
    ] as const;
    for (const call of calls) {
      const anonymous = await app.inject(call);
      assert.equal(anonymous.statusCode, 401, `${call.method} ${call.url}`);
      assert.equal(anonymous.json<ErrorBody>().error.code, ErrorCodes.UNAUTHENTICATED);
      const supervisor = await app.inject({ ...call, headers: { "x-test-user": "sam:supervisor" } });
      assert.equal(supervisor.statusCode, 403, `${call.method} ${call.url}`);
      assert.equal(supervisor.json<ErrorBody>().error.code, ErrorCodes.FORBIDDEN);
    }
    assert.equal(store.size, 0);
    assert.deepEqual(audited, []);
  });

  void it("POST creates a key: 201, shown once, not cached, audited with the admin and address", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/cameras/lobby/keys",
      headers: ADMIN,
      payload: { scopes: ["frames:write"], allowed_cidrs: ["10.0.0.0/8"], expires_in_days: 90, label: "lobby cam" },
    });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers["cache-control"], "no-store");
    const body = res.json<{ key: string; api_key: Record<string, unknown> }>();
    assert.equal(parseApiKey(body.key)?.keyId, body.api_key.key_id);
    assert.equal(body.api_key.camera_id, "lobby");
    assert.deepEqual(body.api_key.scopes, ["frames:write"]);
    assert.deepEqual(body.api_key.allowed_cidrs, ["10.0.0.0/8"]);
    assert.equal(body.api_key.created_by, "alice");
    assert.equal("digest" in body.api_key, false);
    assert.deepEqual(audited.at(-1), {
      actor: "alice",
      source: "127.0.0.1",
      action: "key.created",
      target: `key:${String(body.api_key.key_id)}`,
      result: "ok",
      details: { camera_id: "lobby", scopes: ["frames:write"] },
    });

    const list = await app.inject({ method: "GET", url: "/v1/cameras/lobby/keys", headers: ADMIN });
    assert.equal(list.statusCode, 200);
    const listed = list.json<{ api_keys: Array<Record<string, unknown>> }>().api_keys;
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.key_id, body.api_key.key_id);
    assert.ok(!list.body.includes(body.key.slice(20)), "the list carries no secret");
    assert.ok(!list.body.includes("digest"));
    assert.deepEqual((await app.inject({ method: "GET", url: "/v1/cameras/yard/keys", headers: ADMIN })).json(), {
      api_keys: [],
    });
  });

  void it("bad bodies and paths are 400 naming the field; an unknown camera is 404; nothing is created", async () => {
    const before = store.size;
    const cases: Array<[string, unknown, string]> = [
      ["/v1/cameras/lobby/keys", { scopes: ["frames:read"] }, "scopes"],
      ["/v1/cameras/lobby/keys", { per_minute: 0 }, "per_minute"],
      ["/v1/cameras/lobby/keys", { expires_in_days: 100_000 }, "expires_in_days"],
      ["/v1/cameras/lobby/keys", { allowed_cidrs: ["10.0.0.0/99"] }, "allowed_cidrs"],
      ["/v1/cameras/lobby/keys", { label: "" }, "label"],
      ["/v1/cameras/lobby/keys", { per_hour: "5" }, "per_hour"],
      ["/v1/cameras/lobby/keys", { scopes: ["frames:write"], secret: "mine" }, "body"],
      ["/v1/cameras/Lobby!/keys", {}, "id"],
    ];
    for (const [url, payload, field] of cases) {
      const res = await app.inject({ method: "POST", url, headers: ADMIN, payload: payload as object });
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`);
      const error = res.json<ErrorBody>().error;
      assert.equal(error.code, ErrorCodes.VALIDATION);
      assert.ok(error.message.includes(field), `message names ${field}: ${error.message}`);
    }
    const unknown = await app.inject({ method: "POST", url: "/v1/cameras/garage/keys", headers: ADMIN, payload: {} });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json<ErrorBody>().error.code, ErrorCodes.CAMERA_UNKNOWN);
    assert.equal(store.size, before);
  });

  void it("DELETE revokes (audited), again is idempotent, an unknown id is 404 and a malformed one 400", async () => {
    const created = await app.inject({ method: "POST", url: "/v1/cameras/yard/keys", headers: ADMIN, payload: {} });
    const keyId = created.json<{ api_key: { key_id: string } }>().api_key.key_id;
    const first = await app.inject({ method: "DELETE", url: `/v1/keys/${keyId}`, headers: ADMIN });
    assert.equal(first.statusCode, 200);
    const body = first.json<{ api_key: { status: string; revoked_by: string }; already_revoked: boolean }>();
    assert.equal(body.api_key.status, "revoked");
    assert.equal(body.api_key.revoked_by, "alice");
    assert.equal(body.already_revoked, false);
    assert.equal(audited.at(-1)?.action, "key.revoked");
    assert.equal(audited.at(-1)?.target, `key:${keyId}`);
    const second = await app.inject({ method: "DELETE", url: `/v1/keys/${keyId}`, headers: ADMIN });
    assert.equal(second.statusCode, 200);
    assert.equal(second.json<{ already_revoked: boolean }>().already_revoked, true);
    const unknown = await app.inject({ method: "DELETE", url: "/v1/keys/abcdefghijklmnop", headers: ADMIN });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json<ErrorBody>().error.code, ErrorCodes.NOT_FOUND);
    const malformed = await app.inject({ method: "DELETE", url: "/v1/keys/not-a-key-id", headers: ADMIN });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json<ErrorBody>().error.code, ErrorCodes.VALIDATION);
  });
});
