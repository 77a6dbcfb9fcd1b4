// `vigil user|keys|key` as installers run them: the built CLI in a child process against a box
// provisioned by the real `vigil init`. First with no daemon (the CLI opens the store itself),
// then with the daemon running (it holds the store, so every success went through its admin
// socket), then the audit chain both paths wrote. No stand-ins: real store, real audit chain, real
// HTTP API for the effects of each change.
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseApiKey } from "../../src/auth/api-keys/api-key-format.js";
import type { AuditEntry } from "../../src/contract/audit.js";
import { type DaemonHandle, provisionBox, runCli, type TestBox, readStoredAudit } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";

const ACTOR = `cli:${userInfo().username}`;
const PASSWORDS = {
  alice: "Correct-Horse-9-battery",
  bob: "Staple-Battery-7-horse",
  carol: "Lobby-Camera-42-night",
  carolNew: "Reset-By-Admin-13-day",
};

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface JsonError {
  ok: false;
  error: { code: string; message: string; details?: { field?: string } };
}

function errorCode(ran: Ran): string {
  return (JSON.parse(ran.stdout) as JsonError).error.code;
}

function show(ran: Ran): string {
  return `exit ${ran.code}\nstdout: ${ran.stdout}\nstderr: ${ran.stderr}`;
}

function jwtKid(token: string): string | undefined {
  const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid?: string };
  return header.kid;
}

void describe("vigil user, keys and key: the real CLI, offline and through the daemon's admin socket", () => {
  let box: TestBox;
  let base: string;
  let daemon: DaemonHandle | undefined;
  // The CLI under test, always against this box's config; `stdin` feeds a password.
  const vigil = (args: string[], stdin?: string): Promise<Ran> =>
    runCli([...args, "--config", box.configPath], { VIGIL_CONFIG: "" }, stdin);

  async function login(username: string, password: string): Promise<{ status: number; token?: string }> {
    const res = await fetch(`${base}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    const body = (await res.json()) as { access_token?: string };
    return { status: res.status, ...(body.access_token ? { token: body.access_token } : {}) };
  }

  async function me(token: string): Promise<number> {
    return (await fetch(`${base}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  }

  async function pushEvent(key: string): Promise<number> {
    const res = await fetch(`${base}/v1/ingest/lobby/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `ApiKey ${key}` },
      body: JSON.stringify({ type: "tamper" }),
    });
    await res.arrayBuffer();
    return res.status;
  }

  async function startDaemon(): Promise<DaemonHandle> {
    daemon = box.start();
    await daemon.waitForLog((l) => l.msg === "started", 30_000);
    return daemon;
  }

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    box = await provisionBox({
      site: "hq",
      gateway: "gw-01",
      log: { level: "info", stats_interval_s: 0 },
      http: { listen: `127.0.0.1:${port}` },
      // No brokers: outbox only. The camera is there for its keys; nothing listens at its URL and
      // it is disabled, so no ffmpeg retries in the background (push events need no stream).
      cameras: [{ id: "lobby", url: "rtsp://127.0.0.1:9/none", enabled: false }],
      auth: { argon2: { memory_kib: 19_456, time_cost: 2 } },
    });
  });
  after(async () => {
    await box?.cleanup();
  });

  void it("every verb has --help (exit 0); usage errors exit 2 before anything is read or opened", async () => {
    const verbs = [
      ["user"],
      ["user", "add"],
      ["user", "list"],
      ["user", "disable"],
      ["user", "enable"],
      ["user", "delete"],
      ["user", "reset-password"],
      ["keys"],
      ["keys", "rotate"],
      ["keys", "list"],
      ["key"],
      ["key", "create"],
      ["key", "list"],
      ["key", "revoke"],
    ];
    const helps = await Promise.all(verbs.map((v) => runCli([...v, "--help"])));
    helps.forEach((ran, i) => {
      assert.equal(ran.code, 0, `${verbs[i]?.join(" ")} --help: ${show(ran)}`);
      assert.match(ran.stdout, /^Usage: vigil /, `${verbs[i]?.join(" ")} --help prints its usage`);
    });
    assert.match(helps[1]?.stdout ?? "", /--role <role>/);
    assert.match(helps[11]?.stdout ?? "", /--expires-days/);

    const [badRole, noRole, badScope, zeroPerHour, noCamera] = await Promise.all([
      vigil(["user", "add", "eve", "--role", "root"], `${PASSWORDS.alice}\n`),
      vigil(["user", "add", "eve"], `${PASSWORDS.alice}\n`),
      vigil(["key", "create", "--camera", "lobby", "--scope", "frames:read"]),
      vigil(["key", "create", "--camera", "lobby", "--per-hour", "0"]),
      vigil(["key", "create"]),
    ]);
    assert.equal(badRole.code, 2, show(badRole));
    assert.match(badRole.stderr, /argument 'root' is invalid/);
    for (const ran of [noRole, badScope, zeroPerHour, noCamera]) assert.equal(ran.code, 2, show(ran));
  });

  void it("with no daemon, the CLI changes the store itself: users, API keys and the token key ring", async () => {
    const added = await vigil(["user", "add", "alice", "--role", "admin"], `${PASSWORDS.alice}\n`);
    assert.equal(added.code, 0, show(added));
    assert.match(added.stdout, /created alice \(admin\)/);

    const weak = await vigil(["user", "add", "bob", "--role", "operator", "--json"], "password\n");
    assert.equal(weak.code, 1, show(weak));
    assert.equal(errorCode(weak), "VIGIL_E_PASSWORD_POLICY");
    assert.equal((JSON.parse(weak.stdout) as JsonError).error.details?.field, "password");
    const duplicate = await vigil(["user", "add", "alice", "--role", "viewer", "--json"], `${PASSWORDS.bob}\n`);
    assert.equal(duplicate.code, 1, show(duplicate));
    assert.equal(errorCode(duplicate), "VIGIL_E_ALREADY_EXISTS");
    const noPassword = await vigil(["user", "add", "dave", "--role", "viewer"]);
    assert.equal(noPassword.code, 1, show(noPassword));
    assert.match(noPassword.stderr, /VIGIL_E_VALIDATION: no password on stdin/);

    const listed = await vigil(["user", "list", "--json"]);
    assert.equal(listed.code, 0, show(listed));
    const users = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      users.map((u) => [u.username, u.role, u.disabled]),
      [["alice", "admin", false]],
    );
    assert.ok(!("password_hash" in (users[0] ?? {})), "no password hash in the listing");
    assert.doesNotMatch(listed.stdout, /argon2/);

    // key create: in text, stdout is exactly the key (for KEY=$(vigil key create ...)); the rest is on stderr.
    const created = await vigil([
      "key",
      "create",
      "--camera",
      "lobby",
      "--scope",
      "frames:write",
      "--cidr",
      "10.0.0.0/8",
      "--cidr",
      "::ffff:192.168.0.0/112",
      "--per-minute",
      "30",
      "--expires-days",
      "7",
      "--label",
      "lobby cam",
    ]);
    assert.equal(created.code, 0, show(created));
    const key = created.stdout.trim();
    const keyId = parseApiKey(key)?.keyId;
    assert.ok(keyId, `stdout is the key: ${created.stdout}`);
    assert.equal(created.stdout, `${key}\n`);
    assert.match(created.stderr, new RegExp(`created key ${keyId} for camera lobby`));
    assert.match(created.stderr, /warning: this key is shown once/);
    const secret = parseApiKey(key)?.secret ?? "";

    const keyList = await vigil(["key", "list", "--camera", "lobby", "--json"]);
    assert.equal(keyList.code, 0, show(keyList));
    assert.ok(!keyList.stdout.includes(secret), "key list never shows the secret");
    const [entry] = (JSON.parse(keyList.stdout) as { api_keys: Array<Record<string, unknown>> }).api_keys;
    assert.equal(entry?.key_id, keyId);
    assert.equal(entry?.status, "active");
    assert.deepEqual(entry?.scopes, ["frames:write"]);
    assert.deepEqual(entry?.allowed_cidrs, ["10.0.0.0/8", "192.168.0.0/16"]);
    assert.deepEqual(entry?.limits, { per_minute: 30, per_hour: 36_000 });
    assert.equal(entry?.label, "lobby cam");
    const table = await vigil(["key", "list"]);
    assert.equal(table.code, 0, show(table));
    assert.match(table.stdout, /^KEY ID\s+CAMERA\s+STATUS/);
    assert.match(table.stdout, new RegExp(`${keyId}\\s+lobby\\s+active\\s+frames:write`));
    assert.ok(!table.stdout.includes(secret));

    const revoked = await vigil(["key", "revoke", keyId]);
    assert.equal(revoked.code, 0, show(revoked));
    assert.match(revoked.stdout, new RegExp(`revoked key ${keyId} of camera lobby`));
    const again = await vigil(["key", "revoke", keyId, "--json"]);
    assert.equal(again.code, 0, show(again));
    assert.equal((JSON.parse(again.stdout) as { already_revoked: boolean }).already_revoked, true);
    const unknownKey = await vigil(["key", "revoke", "abcdefghijklmnop", "--json"]);
    assert.equal(unknownKey.code, 1, show(unknownKey));
    assert.equal(errorCode(unknownKey), "VIGIL_E_NOT_FOUND");
    const unknownCamera = await vigil(["key", "create", "--camera", "garage"]);
    assert.equal(unknownCamera.code, 1, show(unknownCamera));
    assert.match(unknownCamera.stderr, /VIGIL_E_CAMERA_UNKNOWN/);
    const badCidr = await vigil(["key", "create", "--camera", "lobby", "--cidr", "10.0.0.0/40", "--json"]);
    assert.equal(badCidr.code, 1, show(badCidr));
    assert.equal(errorCode(badCidr), "VIGIL_E_VALIDATION");

    const json = await vigil(["key", "create", "--camera", "lobby", "--json"]);
    assert.equal(json.code, 0, show(json));
    const body = JSON.parse(json.stdout) as { key: string; api_key: { key_id: string }; warning: string };
    assert.equal(parseApiKey(body.key)?.keyId, body.api_key.key_id);
    assert.match(body.warning, /shown once/);
    assert.equal(json.stderr, "");

    const rotated = await vigil(["keys", "rotate", "--json"]);
    assert.equal(rotated.code, 0, show(rotated));
    const ring = JSON.parse(rotated.stdout) as { kid: string; ring: Array<{ kid: string; state: string }> };
    assert.deepEqual(
      ring.ring.map((k) => k.state),
      ["signing", "verify-only"],
    );
    assert.equal(ring.ring[0]?.kid, ring.kid);
  });

  void it("with the daemon running, the same verbs go through its admin socket and take effect at once", async () => {
    const d = await startDaemon();
    await stat(join(box.dir, "data", "admin.sock"));

    // alice was added offline; the daemon finds her in the store.
    const alice = await login("alice", PASSWORDS.alice);
    assert.equal(alice.status, 200);
    const earlier = alice.token ?? "";

    const addBob = await vigil(["user", "add", "bob", "--role", "operator"], `${PASSWORDS.bob}\n`);
    assert.equal(addBob.code, 0, show(addBob));
    const bob = await login("bob", PASSWORDS.bob);
    assert.equal(bob.status, 200);
    const duplicate = await vigil(["user", "add", "bob", "--role", "viewer", "--json"], `${PASSWORDS.bob}\n`);
    assert.equal(errorCode(duplicate), "VIGIL_E_ALREADY_EXISTS", "errors keep their code through the socket");
    assert.equal(duplicate.code, 1);
    const listed = await vigil(["user", "list", "--json"]);
    assert.deepEqual((JSON.parse(listed.stdout) as Array<{ username: string }>).map((u) => u.username).sort(), [
      "alice",
      "bob",
    ]);

    const disabled = await vigil(["user", "disable", "bob"]);
    assert.equal(disabled.code, 0, show(disabled));
    assert.equal((await login("bob", PASSWORDS.bob)).status, 401);
    assert.equal(await me(bob.token ?? ""), 401, "disabling ends the user's sessions");
    const enabled = await vigil(["user", "enable", "bob", "--json"]);
    assert.equal(enabled.code, 0, show(enabled));
    assert.equal((await login("bob", PASSWORDS.bob)).status, 200);

    const rotated = await vigil(["keys", "rotate", "--json"]);
    assert.equal(rotated.code, 0, show(rotated));
    const ring = JSON.parse(rotated.stdout) as { kid: string; ring: Array<{ kid: string; state: string }> };
    assert.notEqual(ring.kid, jwtKid(earlier));
    assert.deepEqual(
      ring.ring.map((k) => k.kid),
      [ring.kid, jwtKid(earlier)],
      "the key that signed the earlier token still verifies",
    );
    assert.equal(await me(earlier), 200, "a token issued before the rotation still works");
    const fresh = await login("alice", PASSWORDS.alice);
    assert.equal(fresh.status, 200);
    assert.equal(jwtKid(fresh.token ?? ""), ring.kid, "new tokens are signed with the new key");
    const keysList = await vigil(["keys", "list", "--json"]);
    assert.deepEqual(JSON.parse(keysList.stdout), ring.ring);

    const created = await vigil(["key", "create", "--camera", "lobby", "--label", "through the socket"]);
    assert.equal(created.code, 0, show(created));
    const key = created.stdout.trim();
    const keyId = parseApiKey(key)?.keyId ?? "";
    assert.ok(keyId, `stdout is the key: ${created.stdout}`);
    assert.match(created.stderr, /shown once/);
    assert.equal(await pushEvent(key), 202);
    const keyList = await vigil(["key", "list", "--json"]);
    const used = (
      JSON.parse(keyList.stdout) as { api_keys: Array<{ key_id: string; usage_count: number }> }
    ).api_keys.find((k) => k.key_id === keyId);
    assert.ok(used, `the new key is listed: ${keyList.stdout}`);
    assert.ok(!keyList.stdout.includes(parseApiKey(key)?.secret ?? "?"));
    const revoked = await vigil(["key", "revoke", keyId]);
    assert.equal(revoked.code, 0, show(revoked));
    assert.equal(await pushEvent(key), 401, "a revoked key is refused at once");
    const unknownKey = await vigil(["key", "revoke", "abcdefghijklmnop", "--json"]);
    assert.equal(unknownKey.code, 1);
    assert.equal(errorCode(unknownKey), "VIGIL_E_NOT_FOUND");
    assert.equal(d.child.exitCode, null, "the daemon is still running: it answered all of the above");
  });

  void it("a lockout survives kill -9 of the daemon, and an admin's reset-password lifts it", async () => {
    assert.ok(daemon);
    const added = await vigil(["user", "add", "carol", "--role", "viewer"], `${PASSWORDS.carol}\n`);
    assert.equal(added.code, 0, show(added));
    for (let i = 0; i < 5; i++) assert.equal((await login("carol", `Wrong-Password-${i}!x`)).status, 401);
    assert.equal((await login("carol", PASSWORDS.carol)).status, 401, "locked: the right password is refused too");

    daemon.signal("SIGKILL");
    assert.equal(await daemon.exited, "SIGKILL");
    const d = await startDaemon();
    assert.equal((await login("carol", PASSWORDS.carol)).status, 401, "still locked after the restart");

    const weak = await vigil(["user", "reset-password", "carol", "--json"], "short\n");
    assert.equal(weak.code, 1, show(weak));
    assert.equal(errorCode(weak), "VIGIL_E_PASSWORD_POLICY");
    assert.equal(
      (JSON.parse(weak.stdout) as JsonError).error.details?.field,
      "password",
      "the socket path names the field as the offline one does",
    );
    const reset = await vigil(["user", "reset-password", "carol", "--json"], `${PASSWORDS.carolNew}\n`);
    assert.equal(reset.code, 0, show(reset));
    assert.deepEqual(JSON.parse(reset.stdout), { username: "carol", password_reset: true });
    assert.equal((await login("carol", PASSWORDS.carolNew)).status, 200);

    d.signal("SIGTERM");
    assert.equal(await d.exited, 0);
  });

  void it("the audit chain holds every change the CLI made, offline and through the socket, as cli:<os user>", async () => {
    const verify = await vigil(["audit", "verify", "--json"]);
    assert.equal(verify.code, 0, show(verify));
    assert.equal((JSON.parse(verify.stdout) as { ok: boolean }).ok, true);

    const entries = await readStoredAudit(join(box.dir, "data"));
    const byCli = (action: string): string[] =>
      entries.filter((e) => e.action === action && e.actor === ACTOR).map((e) => e.target);
    const all = (action: string): AuditEntry[] => entries.filter((e) => e.action === action);
    // Offline (alice) and through the socket (bob, carol).
    assert.deepEqual(byCli("user.created"), ["user:alice", "user:bob", "user:carol"]);
    assert.deepEqual(byCli("user.disabled"), ["user:bob"]);
    assert.deepEqual(byCli("user.enabled"), ["user:bob"]);
    assert.deepEqual(byCli("user.password_reset"), ["user:carol"]);
    assert.equal(byCli("key.created").length, 3);
    assert.ok(byCli("key.revoked").length >= 2);
    assert.equal(byCli("keys.rotated").length, 2);
    for (const action of [
      "user.created",
      "user.disabled",
      "user.enabled",
      "user.password_reset",
      "key.created",
      "key.revoked",
      "keys.rotated",
    ]) {
      assert.deepEqual(
        all(action).map((e) => e.actor),
        all(action).map(() => ACTOR),
        `every ${action} entry is the CLI's`,
      );
    }
    assert.ok(
      entries.some((e) => e.action === "auth.lockout" && e.target === "user:carol"),
      "the lockout itself is audited",
    );
  });
});
