// Issue 15, findings 1, 2 and 9: what an admin (or a stolen admin token) can reach through a
// camera's URL and credentials file. The camera URL names a host the attacker listens on; the
// credentials file is read and sent there as userinfo by ffprobe. None of the daemon's secrets, no
// file outside secrets_dir, and no file of the box may get there, through the API, the CLI's admin
// ops or the config file alike.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildConfig } from "../../src/config/loader.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { cameraAdminOps } from "../../src/ingest/camera-admin-ops.js";
import { type AuthStack, openAuthStack, testSecrets } from "../helpers/auth-stack.js";
import { addUser, bearer, errorCode, loginOk } from "../helpers/auth-client.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";
import { type ListeningHost, startListeningHost } from "../helpers/listening-host.js";
import { TEST_IDENTITY } from "../helpers/store-stack.js";

let dir: string;
let secretsDir: string;
let stack: AuthStack;
let host: ListeningHost;
let admin: string;
const secrets = testSecrets();
const CAMERA_PASSWORD = "cam-pass-Q7mZ";

const post = (body: unknown) =>
  stack.app.inject({
    method: "POST",
    url: "/v1/cameras",
    headers: bearer(admin),
    payload: body as Record<string, unknown>,
  });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-sec-src-"));
  secretsDir = join(dir, "secrets");
  await mkdir(secretsDir, { recursive: true });
  for (const [name, value] of Object.entries(secrets))
    await writeFile(join(secretsDir, name), `${value}\n`, { mode: 0o600 });
  await writeFile(join(secretsDir, "metrics_token"), randomBytes(32).toString("base64url"), { mode: 0o600 });
  await writeFile(join(secretsDir, "gate.cred"), `viewer:${CAMERA_PASSWORD}\n`, { mode: 0o600 });
  await writeFile(join(dir, "outside.cred"), "root:outside-the-secrets-dir\n", { mode: 0o600 });
  host = await startListeningHost();
  stack = await openAuthStack(join(dir, "data"), {
    secrets,
    cameraRegistry: true,
    config: { secrets_dir: secretsDir, ingest: { probe_timeout_s: 5 } },
  });
  await addUser(stack.auth, "root", "admin");
  admin = (await loginOk(stack.app, "root")).access_token;
});
after(async () => {
  await stack.close();
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

const ATTACKS = [
  "token_signing_key",
  "audit_checkpoint_key",
  "audit_hmac_key",
  "../secrets/audit_hmac_key",
  "metrics_token",
  "watchlist_key",
  "../outside.cred",
  "/etc/passwd",
  ".hidden",
  "a/b",
];

void describe("a camera's credentials_file", () => {
  void it("a plain credentials file of its own reaches the camera's host (the channel the attacks below would use)", async () => {
    const r = await post({ id: "gate", url: `${host.url}/stream`, credentials_file: "gate.cred" });
    assert.equal(r.statusCode, 422, r.body); // the host asks for credentials and then serves nothing
    assert.match(host.received(), new RegExp(CAMERA_PASSWORD));
  });

  void it("cannot name the daemon's secrets or climb out of secrets_dir: 400, nothing read, sent or stored (API)", async () => {
    const seen = host.requests.length;
    for (const [i, file] of ATTACKS.entries()) {
      for (const probe of [true, false]) {
        const r = await post({ id: `leak${i}`, url: `${host.url}/stream`, credentials_file: file, probe });
        assert.equal(r.statusCode, 400, `${file}: ${r.body}`);
        assert.equal(errorCode(r), ErrorCodes.CAMERA_SOURCE_REFUSED);
        assert.equal(r.json<{ error: { field: string } }>().error.field, "/credentials_file");
        assert.equal(
          (await stack.app.inject({ method: "GET", url: `/v1/cameras/leak${i}`, headers: bearer(admin) })).statusCode,
          404,
        );
      }
    }
    assert.equal(host.requests.length, seen, "the attacker's host heard nothing");
    for (const value of Object.values(secrets)) assert.ok(!host.received().includes(value));
  });

  void it("cannot be patched onto an existing camera either", async () => {
    const added = await post({ id: "yard", url: `${host.url}/stream`, probe: false });
    assert.equal(added.statusCode, 201, added.body);
    const r = await stack.app.inject({
      method: "PATCH",
      url: "/v1/cameras/yard",
      headers: bearer(admin),
      payload: { credentials_file: "token_signing_key" },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(errorCode(r), ErrorCodes.CAMERA_SOURCE_REFUSED);
  });

  void it("the CLI's admin ops (admin socket or offline) refuse the same", async () => {
    const ops = cameraAdminOps(stack.registry ?? assert.fail("registry"));
    for (const file of ATTACKS) {
      await expectVigilAsync(
        ops["camera.add"]?.run(
          { id: "cli-leak", url: `${host.url}/s`, credentials_file: file, probe: false },
          { actor: "cli:root" },
        ) ?? Promise.resolve(),
        ErrorCodes.CAMERA_SOURCE_REFUSED,
      );
    }
  });

  void it("the config file refuses the same names, naming the key (vigil run and vigil config check share it)", () => {
    for (const file of ATTACKS) {
      assert.throws(
        () =>
          buildConfig(
            {
              ...TEST_IDENTITY,
              secrets_dir: secretsDir,
              cameras: [{ id: "door", url: "rtsp://10.0.0.5/s", credentials_file: file }],
            },
            {},
            dir,
          ),
        (err: { code?: string; details?: { path?: string } }) =>
          err.code === ErrorCodes.CONFIG_INVALID && err.details?.path === "cameras[0].credentials_file",
        file,
      );
    }
  });
});

void describe("camera URLs", () => {
  void it("file:// URLs are refused through the API and CLI unless ingest.allow_file_urls is set", async () => {
    for (const url of ["file:///etc/shadow", "file://localhost/etc/vigil/secrets/token_signing_key"]) {
      const r = await post({ id: "local", url, probe: false });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(errorCode(r), ErrorCodes.CAMERA_SOURCE_REFUSED);
      assert.equal(r.json<{ error: { field: string } }>().error.field, "/url");
      const sub = await post({ id: "local", url: `${host.url}/s`, substream_url: url, probe: false });
      assert.equal(errorCode(sub), ErrorCodes.CAMERA_SOURCE_REFUSED);
    }
    const allowed = await openAuthStack(join(dir, "data-files"), {
      cameraRegistry: true,
      config: { secrets_dir: secretsDir, ingest: { allow_file_urls: true } },
    });
    try {
      await addUser(allowed.auth, "root", "admin");
      const token = (await loginOk(allowed.app, "root")).access_token;
      const r = await allowed.app.inject({
        method: "POST",
        url: "/v1/cameras",
        headers: bearer(token),
        payload: { id: "clip", url: "file:///tmp/clip.mp4", probe: false },
      });
      assert.equal(r.statusCode, 201, r.body);
    } finally {
      await allowed.close();
    }
  });

  void it("credentials in substream_url are refused like those in url, and never shown", async () => {
    const r = await post({
      id: "sub",
      url: `${host.url}/main`,
      substream_url: "rtsp://admin:hunter2-Sub@10.0.0.5/sub",
      probe: false,
    });
    assert.equal(r.statusCode, 400);
    assert.equal(errorCode(r), ErrorCodes.CAMERA_SOURCE_REFUSED);
    assert.equal(r.json<{ error: { field: string } }>().error.field, "/substream_url");
    assert.ok(!r.body.includes("hunter2"));
    assert.throws(
      () =>
        buildConfig(
          {
            ...TEST_IDENTITY,
            cameras: [{ id: "door", url: "rtsp://10.0.0.5/s", substream_url: "rtsp://u:p@10.0.0.5/sub" }],
          },
          {},
          dir,
        ),
      /substream_url/,
    );
  });

  void it("a failed probe says why in a fixed phrase, never with what the probed service said", async () => {
    const r = await post({ id: "scan", url: `${host.url}/banner` });
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(errorCode(r), ErrorCodes.CAMERA_PROBE_FAILED);
    assert.equal(r.json<{ error: { message: string } }>().error.message, "probe failed: not a video stream");
    const closed = await post({ id: "scan", url: "rtsp://127.0.0.1:9/none" });
    assert.equal(closed.json<{ error: { message: string } }>().error.message, "probe failed: connection refused");
  });
});
