// Camera API keys on a real LevelDB: creation, every refusal the verifier knows, limits, audit
// ordering, persistence across restarts, and that only the digest ever reaches the disk.
import assert from "node:assert/strict";
import { readdir, readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { apiKeyAdminOps } from "../../src/auth/api-keys/api-key-admin-ops.js";
import { formatApiKey, generateApiKey, parseApiKey } from "../../src/auth/api-keys/api-key-format.js";
import { ApiKeyService } from "../../src/auth/api-keys/api-key-service.js";
import { ApiKeyStore } from "../../src/auth/api-keys/api-key-store.js";
import { ApiKeyVerifier, refusalError } from "../../src/auth/api-keys/api-key-verifier.js";
import type { AuditEntry, AuditInput, AuditRecorder } from "../../src/contract/audit.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { runAdminOp } from "../../src/http/admin-socket.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";
import { openStoreStack, type StoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
const CAMERAS = new Set(["lobby", "yard"]);
const ADMIN = { actor: "alice", source: "127.0.0.1" };

/** Records what it is given; `gate` (when set) holds each record() until released. */
class FakeAudit implements AuditRecorder {
  readonly entries: AuditInput[] = [];
  gate: Promise<void> | undefined;
  failNext = false;
  async record(input: AuditInput): Promise<AuditEntry> {
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("audit store unavailable");
    }
    this.entries.push(input);
    return { ...input, seq: this.entries.length, ts: new Date().toISOString(), prev_mac: "", mac: "" };
  }
}

interface Harness {
  readonly stack: StoreStack;
  readonly store: ApiKeyStore;
  readonly service: ApiKeyService;
  readonly verifier: ApiKeyVerifier;
  readonly audit: FakeAudit;
  readonly clock: { now: number };
  close(): Promise<void>;
}

async function open(dir: string, opts: { usageFlushMs?: number; clock?: { now: number } } = {}): Promise<Harness> {
  const log = silentLogger();
  const stack = await openStoreStack(dir, { log });
  const store = new ApiKeyStore(stack.db, stack.commits, log, { usageFlushMs: opts.usageFlushMs ?? 0 });
  await store.start();
  const clock = opts.clock ?? { now: T0 };
  const audit = new FakeAudit();
  const service = new ApiKeyService({ store, audit, cameraExists: (id) => CAMERAS.has(id), now: () => clock.now });
  const verifier = new ApiKeyVerifier(store, undefined, () => clock.now);
  return {
    stack,
    store,
    service,
    verifier,
    audit,
    clock,
    async close() {
      await store.stop();
      await stack.close();
    },
  };
}

void describe("camera API keys on a real store", () => {
  let root: string;
  let n = 0;
  const freshDir = (): string => join(root, `case-${n++}`);
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-keys-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("a new key verifies for its camera and scope, is audited, and counts its use", async (t) => {
    const h = await open(freshDir());
    t.after(() => h.close());
    const created = await h.service.create({ camera_id: "lobby", label: "front door" }, ADMIN);
    assert.ok(parseApiKey(created.key));
    assert.equal(created.api_key.key_id, parseApiKey(created.key)?.keyId);
    assert.equal("digest" in created.api_key, false);
    assert.deepEqual(created.api_key.scopes, ["frames:write", "events:write"]);
    assert.deepEqual(created.api_key.limits, { per_minute: 600, per_hour: 36_000 });
    assert.equal(created.api_key.expires_at, null);
    assert.equal(created.api_key.created_by, "alice");
    assert.deepEqual(h.audit.entries, [
      {
        actor: "alice",
        source: "127.0.0.1",
        action: "key.created",
        target: `key:${created.api_key.key_id}`,
        result: "ok",
        details: { camera_id: "lobby", scopes: ["frames:write", "events:write"] },
      },
    ]);

    const ok = h.verifier.verify({
      presented: created.key,
      cameraId: "lobby",
      scope: "frames:write",
      sourceIp: "10.0.0.7",
    });
    assert.equal(ok.ok, true);
    assert.equal(ok.ok && ok.keyId, created.api_key.key_id);
    assert.equal(
      h.verifier.verify({
        presented: created.key,
        cameraId: "lobby",
        scope: "events:write",
        sourceIp: "10.0.0.8",
        now: T0 + 5,
      }).ok,
      true,
    );
    const [listed] = h.service.list("lobby");
    assert.equal(listed?.usage_count, 2);
    assert.equal(listed?.last_used_at, new Date(T0 + 5).toISOString());
    assert.equal(listed?.last_used_from, "10.0.0.8");
    assert.deepEqual(h.service.list("yard"), []);
  });

  void it("refuses with the right reason: wrong camera, scope, source, expiry, malformed, unknown, wrong secret", async (t) => {
    const h = await open(freshDir());
    t.after(() => h.close());
    const { key } = await h.service.create(
      {
        camera_id: "lobby",
        scopes: ["frames:write"],
        allowed_cidrs: ["10.0.0.0/8", "2001:db8::/32"],
        expires_in_days: 1,
      },
      ADMIN,
    );
    const keyId = parseApiKey(key)?.keyId;
    const base = { presented: key, cameraId: "lobby", scope: "frames:write" as const, sourceIp: "10.1.2.3" };
    const reason = (over: Partial<typeof base> & { now?: number }) => {
      const v = h.verifier.verify({ ...base, ...over });
      return v.ok ? "ok" : `${v.reason}${v.keyId ? `:${v.keyId}` : ""}`;
    };
    assert.equal(reason({}), "ok");
    assert.equal(reason({ cameraId: "yard" }), `wrong_camera:${keyId}`);
    assert.equal(reason({ scope: "events:write" as "frames:write" }), `scope_missing:${keyId}`);
    assert.equal(reason({ sourceIp: "192.168.1.5" }), `source_not_allowed:${keyId}`);
    assert.equal(reason({ sourceIp: "::ffff:10.9.9.9" }), "ok");
    assert.equal(reason({ sourceIp: "2001:db8::42" }), "ok");
    assert.equal(reason({ now: T0 + 86_400_000 - 1 }), "ok");
    assert.equal(reason({ now: T0 + 86_400_000 }), `expired:${keyId}`);
    assert.equal(reason({ presented: `${key} ` }), "malformed");
    assert.equal(reason({ presented: undefined }), "malformed");
    assert.equal(reason({ presented: generateApiKey().plaintext }), "unknown");
    // Same id, another valid secret: the id must not be echoed back to someone without the secret.
    const other = generateApiKey();
    assert.equal(reason({ presented: formatApiKey({ keyId: keyId ?? "", secret: other.secret }) }), "digest_mismatch");
    // Every credential failure becomes the same 401 answer; the rest keep their codes.
    for (const r of ["malformed", "unknown", "digest_mismatch", "revoked", "expired"] as const) {
      assert.equal(refusalError(r).code, ErrorCodes.UNAUTHENTICATED);
      assert.equal(refusalError(r).message, refusalError("unknown").message);
    }
    assert.equal(refusalError("wrong_camera").code, ErrorCodes.CAMERA_MISMATCH);
    assert.equal(refusalError("rate_limited", 7).details?.retry_after_s, 7);
    // Only the successful requests were counted.
    assert.equal(h.service.list()[0]?.usage_count, 4);
  });

  void it("revocation is durable, audited, refuses the key at once, and is idempotent", async (t) => {
    const h = await open(freshDir());
    t.after(() => h.close());
    const { key, api_key } = await h.service.create({ camera_id: "yard" }, ADMIN);
    const revoked = await h.service.revoke(api_key.key_id, { actor: "bob" });
    assert.equal(revoked.already_revoked, false);
    assert.equal(revoked.api_key.status, "revoked");
    assert.equal(revoked.api_key.revoked_by, "bob");
    assert.equal(revoked.api_key.revoked_at, new Date(T0).toISOString());
    const v = h.verifier.verify({ presented: key, cameraId: "yard", scope: "frames:write", sourceIp: "10.0.0.1" });
    assert.deepEqual(v, { ok: false, reason: "revoked", keyId: api_key.key_id });
    const again = await h.service.revoke(api_key.key_id, { actor: "carol" });
    assert.equal(again.already_revoked, true);
    assert.equal(again.api_key.revoked_by, "bob");
    assert.deepEqual(
      h.audit.entries.map((e) => [e.action, e.actor, e.details?.already_revoked]),
      [
        ["key.created", "alice", undefined],
        ["key.revoked", "bob", undefined],
        ["key.revoked", "carol", true],
      ],
    );
    await expectVigilAsync(h.service.revoke("abcdefghijklmnop", ADMIN), ErrorCodes.NOT_FOUND);
    await expectVigilAsync(h.service.revoke("../etc", ADMIN), ErrorCodes.NOT_FOUND);
  });

  void it("over the per-minute limit: rate_limited with retryAfterS, and the key works again after it", async (t) => {
    const h = await open(freshDir());
    t.after(() => h.close());
    h.clock.now = T0 + 45_000;
    const { key } = await h.service.create({ camera_id: "lobby", per_minute: 3, per_hour: 100 }, ADMIN);
    const req = { presented: key, cameraId: "lobby", scope: "frames:write" as const, sourceIp: "10.0.0.1" };
    for (let i = 0; i < 3; i++) assert.equal(h.verifier.verify(req).ok, true);
    const limited = h.verifier.verify(req);
    assert.equal(limited.ok, false);
    assert.equal(!limited.ok && limited.reason, "rate_limited");
    assert.equal(!limited.ok && limited.retryAfterS, 15);
    assert.deepEqual(!limited.ok && limited.rate, { limit: 3, remaining: 0, resetAt: T0 + 60_000 });
    assert.equal(h.verifier.verify({ ...req, now: T0 + 60_000 }).ok, true);
    assert.equal(h.service.list()[0]?.usage_count, 4);
  });

  void it("bad requests to create change nothing and audit nothing", async (t) => {
    const h = await open(freshDir());
    t.after(() => h.close());
    await expectVigilAsync(h.service.create({ camera_id: "garage" }, ADMIN), ErrorCodes.CAMERA_UNKNOWN);
    const cidr = await expectVigilAsync(
      h.service.create({ camera_id: "lobby", allowed_cidrs: ["10.0.0.0/8", "10.0.0.0/33"] }, ADMIN),
      ErrorCodes.VALIDATION,
    );
    assert.equal(cidr.details?.field, "/allowed_cidrs/1");
    const bad = [
      { camera_id: "lobby", scopes: ["frames:read"] },
      { camera_id: "lobby", scopes: [] },
      { camera_id: "lobby", per_minute: 0 },
      { camera_id: "lobby", expires_in_days: 1.5 },
      { camera_id: "lobby", label: "a\nb" },
      { camera_id: "Lobby" },
      { camera_id: "lobby", extra: true },
    ];
    for (const input of bad) await expectVigilAsync(h.service.create(input as never, ADMIN), ErrorCodes.VALIDATION);
    assert.equal(h.store.size, 0);
    assert.deepEqual(h.audit.entries, []);
  });

  void it("create resolves only after its audit entry, and is taken back when the audit write fails", async (t) => {
    const dir = freshDir();
    const h = await open(dir);
    let release: () => void = () => {};
    h.audit.gate = new Promise((r) => (release = r));
    let done = false;
    const pending = h.service.create({ camera_id: "lobby" }, ADMIN).then((c) => ((done = true), c));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(done, false, "not reported before the audit entry resolves");
    release();
    await pending;
    h.audit.gate = undefined;
    h.audit.failNext = true;
    await assert.rejects(h.service.create({ camera_id: "yard" }, ADMIN), /audit store unavailable/);
    assert.deepEqual(
      h.service.list().map((k) => k.camera_id),
      ["lobby"],
    );
    await h.close();
    const reopened = await open(dir);
    t.after(() => reopened.close());
    assert.deepEqual(
      reopened.service.list().map((k) => k.camera_id),
      ["lobby"],
    );
  });

  void it("keys, revocations and flushed usage survive close and reopen", async () => {
    const dir = freshDir();
    const clock = { now: T0 };
    const first = await open(dir, { clock });
    const a = await first.service.create({ camera_id: "lobby", allowed_cidrs: ["10.0.0.0/8"], per_minute: 50 }, ADMIN);
    const b = await first.service.create({ camera_id: "yard", scopes: ["events:write"] }, ADMIN);
    for (let i = 0; i < 5; i++)
      assert.equal(
        first.verifier.verify({ presented: a.key, cameraId: "lobby", scope: "frames:write", sourceIp: "10.0.0.9" }).ok,
        true,
      );
    await first.service.revoke(b.api_key.key_id, ADMIN);
    const before = first.service.list();
    await first.close();

    const second = await open(dir, { clock });
    try {
      assert.deepEqual(second.service.list(), before);
      assert.equal(second.service.get(a.api_key.key_id).usage_count, 5);
      assert.equal(second.service.get(a.api_key.key_id).last_used_from, "10.0.0.9");
      assert.equal(
        second.verifier.verify({ presented: a.key, cameraId: "lobby", scope: "frames:write", sourceIp: "10.0.0.9" }).ok,
        true,
      );
      assert.equal(
        second.verifier.verify({ presented: a.key, cameraId: "lobby", scope: "frames:write", sourceIp: "11.0.0.9" }).ok,
        false,
      );
      const revoked = second.verifier.verify({
        presented: b.key,
        cameraId: "yard",
        scope: "events:write",
        sourceIp: "10.0.0.9",
      });
      assert.equal(!revoked.ok && revoked.reason, "revoked");
    } finally {
      await second.close();
    }
  });

  void it("usage is flushed periodically, and a flush never undoes a concurrent revocation", async (t) => {
    const h = await open(freshDir(), { usageFlushMs: 20 });
    t.after(() => h.close());
    const { key, api_key } = await h.service.create({ camera_id: "lobby" }, ADMIN);
    const req = { presented: key, cameraId: "lobby", scope: "frames:write" as const, sourceIp: "10.0.0.1" };
    h.verifier.verify(req);
    h.verifier.verify(req);
    const sub = h.stack.db.sublevels.api_keys;
    const onDisk = async () => (await sub.get(api_key.key_id)) as { usage_count: number; status: string };
    for (let i = 0; i < 100 && (await onDisk()).usage_count !== 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await onDisk()).usage_count, 2);

    h.verifier.verify(req);
    const flushes = [h.store.flushUsage(), h.service.revoke(api_key.key_id, ADMIN), h.store.flushUsage()];
    h.verifier.verify(req);
    await Promise.all(flushes);
    await h.store.flushUsage();
    const final = await onDisk();
    assert.equal(final.status, "revoked");
    assert.equal(final.usage_count, 4);
  });

  void it("the store holds the digest, never the secret", async () => {
    const dir = freshDir();
    const h = await open(dir);
    const created = await Promise.all([
      h.service.create({ camera_id: "lobby" }, ADMIN),
      h.service.create({ camera_id: "yard" }, ADMIN),
    ]);
    h.verifier.verify({ presented: created[0]?.key, cameraId: "lobby", scope: "frames:write", sourceIp: "10.0.0.1" });
    const values: string[] = [];
    for await (const [, value] of h.stack.db.level.iterator()) values.push(JSON.stringify(value));
    await h.close();
    const files = await readdir(join(dir, "db"));
    const raw = Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, "db", f)))));
    for (const { key, api_key } of created) {
      const secret = parseApiKey(key)?.secret ?? assert.fail();
      assert.ok(values.some((v) => v.includes(api_key.key_id)));
      assert.ok(!values.some((v) => v.includes(secret)), "no stored value holds the secret");
      assert.ok(!raw.includes(secret), "no file in the store holds the secret");
      assert.ok(!raw.includes(Buffer.from(secret, "base64url")), "not even as raw bytes");
    }
    const digests = values.filter((v) => /"digest":"[0-9a-f]{64}"/.test(v));
    assert.equal(digests.length, 2);
  });

  void it("admin ops validate their args and run create, list and revoke", async (t) => {
    const h = await open(freshDir());
    t.after(() => h.close());
    const ops = apiKeyAdminOps(h.service);
    const created = (await runAdminOp(
      ops,
      "key.create",
      { camera_id: "lobby", scopes: ["events:write"], expires_in_days: 30 },
      "cli:root",
    )) as { key: string; api_key: { key_id: string; created_by: string } };
    assert.ok(parseApiKey(created.key));
    assert.equal(created.api_key.created_by, "cli:root");
    const listed = (await runAdminOp(ops, "key.list", { camera_id: "lobby" }, "cli:root")) as { api_keys: unknown[] };
    assert.equal(listed.api_keys.length, 1);
    const bad = await expectVigilAsync(
      runAdminOp(ops, "key.create", { camera_id: "lobby", per_hour: -1 }, "cli:root"),
      ErrorCodes.VALIDATION,
    );
    assert.equal(bad.details?.field, "/per_hour");
    await expectVigilAsync(runAdminOp(ops, "key.revoke", { key_id: "nope" }, "cli:root"), ErrorCodes.VALIDATION);
    const revoked = (await runAdminOp(ops, "key.revoke", { key_id: created.api_key.key_id }, "cli:root")) as {
      already_revoked: boolean;
    };
    assert.equal(revoked.already_revoked, false);
    assert.deepEqual(
      h.audit.entries.map((e) => `${e.actor} ${e.action}`),
      ["cli:root key.created", "cli:root key.revoked"],
    );
  });
});
