// Push cameras attacked as an outsider would, on the real composition: the API key of another
// camera, a revoked, expired or malformed key, a key from a disallowed address or without the
// scope, a key flood; JPEG frames decoded by real ffmpeg; oversize and malformed bodies. Each
// gets its status and code, each refusal is audited, and none of them queues anything.
import assert from "node:assert/strict";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Frame } from "../../src/contract/detection.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { addUser, bearer, errorCode, loginOk } from "../helpers/auth-client.js";
import { ROOT } from "../helpers/repo-root.js";

const PHOTO = join(ROOT, "test/fixtures/data/photos/person.jpg");

let dir: string;
let stack: AuthStack;
const frames: Frame[] = [];
let admin = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-cam-"));
  stack = await openAuthStack(dir, {
    config: {
      cameras: [
        { id: "lobby", url: "rtsp://127.0.0.1:8554/lobby" },
        { id: "yard", url: "rtsp://127.0.0.1:8554/yard" },
        { id: "dock", url: "rtsp://127.0.0.1:8554/dock", push: { auth: "client_cert" } },
      ],
      http: { frame_limit_bytes: 2_000_000 },
    },
    onFrame: (f) => frames.push(f),
  });
  await addUser(stack.auth, "root", "admin");
  admin = (await loginOk(stack.app, "root")).access_token;
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

async function createKey(cameraId: string, extra: Record<string, unknown> = {}): Promise<{ key: string; id: string }> {
  const r = await stack.app.inject({
    method: "POST",
    url: `/v1/cameras/${cameraId}/keys`,
    headers: bearer(admin),
    payload: { scopes: ["frames:write", "events:write"], ...extra },
  });
  assert.equal(r.statusCode, 201, r.body);
  const body = r.json<{ key: string; api_key: { key_id: string } }>();
  return { key: body.key, id: body.api_key.key_id };
}

const event = (cameraId: string, headers: Record<string, string>, remoteAddress = "10.20.0.5") =>
  stack.app.inject({
    method: "POST",
    url: `/v1/ingest/${cameraId}/events`,
    headers,
    payload: { type: "tamper", details: { lens: "covered" } },
    remoteAddress,
  });

const alertsQueued = async (): Promise<number> =>
  (await stack.store.db.sublevels.outbox.values().all()).filter((v) => JSON.stringify(v).includes("camera.event"))
    .length;

void describe("push camera credentials", () => {
  void it("a camera's own key writes an event, queued for central with the key that proved it", async () => {
    const { key, id } = await createKey("lobby");
    const r = await event("lobby", { authorization: `ApiKey ${key}` });
    assert.equal(r.statusCode, 202, r.body);
    assert.ok(Number(r.headers["x-ratelimit-remaining"]) >= 0);
    const queued = (await stack.store.db.sublevels.outbox.values().all())
      .map((v) => JSON.stringify(v))
      .find((v) => v.includes("camera.event"));
    assert.ok(queued?.includes(id));
    // X-API-Key works as well as the Authorization scheme.
    assert.equal((await event("lobby", { "x-api-key": key })).statusCode, 202);
  });

  void it("refuses every bad key with its status and code, audits it, and queues nothing", async () => {
    const lobby = await createKey("lobby");
    const revoked = await createKey("lobby");
    assert.equal(
      (await stack.app.inject({ method: "DELETE", url: `/v1/keys/${revoked.id}`, headers: bearer(admin) })).statusCode,
      200,
    );
    const expired = await createKey("lobby", { expires_in_days: 1 });
    const record = stack.auth.keyStore.get(expired.id);
    assert.ok(record);
    // As if the day had passed: the stored expiry is moved into the past.
    await stack.auth.keyStore.remove(expired.id);
    await stack.auth.keyStore.insert({ ...record, expires_at: new Date(Date.now() - 1000).toISOString() });
    const fenced = await createKey("lobby", { allowed_cidrs: ["192.168.50.0/24"] });
    const eventsOnly = await createKey("lobby", { scopes: ["frames:write"] });
    const queuedBefore = await alertsQueued();
    const snapshot = await stack.snapshot();
    const cases: Array<[string, string, Record<string, string>, number, string]> = [
      ["no credentials", "lobby", {}, 401, "VIGIL_E_UNAUTHENTICATED"],
      ["another camera's key", "yard", { authorization: `ApiKey ${lobby.key}` }, 403, "VIGIL_E_CAMERA_MISMATCH"],
      ["revoked key", "lobby", { authorization: `ApiKey ${revoked.key}` }, 401, "VIGIL_E_UNAUTHENTICATED"],
      ["expired key", "lobby", { authorization: `ApiKey ${expired.key}` }, 401, "VIGIL_E_UNAUTHENTICATED"],
      ["malformed key", "lobby", { authorization: "ApiKey vk_nope" }, 401, "VIGIL_E_UNAUTHENTICATED"],
      [
        "guessed secret",
        "lobby",
        { authorization: `ApiKey ${lobby.key.slice(0, -4)}AAAA` },
        401,
        "VIGIL_E_UNAUTHENTICATED",
      ],
      ["disallowed address", "lobby", { authorization: `ApiKey ${fenced.key}` }, 403, "VIGIL_E_FORBIDDEN"],
      ["missing scope", "lobby", { authorization: `ApiKey ${eventsOnly.key}` }, 403, "VIGIL_E_FORBIDDEN"],
      ["a user token on a camera route", "lobby", bearer(admin), 401, "VIGIL_E_UNAUTHENTICATED"],
      [
        "a key where the camera requires a certificate",
        "dock",
        { authorization: `ApiKey ${lobby.key}` },
        403,
        "VIGIL_E_CAMERA_MISMATCH",
      ],
    ];
    for (const [name, cameraId, headers, status, code] of cases) {
      const r = await event(cameraId, headers);
      assert.equal(r.statusCode, status, `${name}: ${r.body}`);
      assert.equal(errorCode(r), code, name);
    }
    assert.equal(await alertsQueued(), queuedBefore, "a refused camera queued an event");
    assert.equal(await stack.snapshot(), snapshot, "refused requests changed keys, users or sessions");
    const reasons = (await stack.auditEntries())
      .filter((e) => e.action === "camera.auth" && e.result === "denied")
      .map((e) => (e.details as { reason: string }).reason);
    for (const r of [
      "api_key_wrong_camera",
      "api_key_revoked",
      "api_key_expired",
      "api_key_source_not_allowed",
      "api_key_scope_missing",
      "no_credentials",
    ])
      assert.ok(reasons.includes(r), r);
  });

  void it("a key over its per-minute limit gets 429 with Retry-After", async () => {
    const { key } = await createKey("yard", { per_minute: 3, per_hour: 100 });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await event("yard", { authorization: `ApiKey ${key}` }));
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [202, 202, 202, 429],
    );
    const last = answers[3];
    assert.equal(last && errorCode(last), "VIGIL_E_RATE_LIMITED");
    assert.ok(Number(last?.headers["retry-after"]) > 0);
    assert.equal(last?.headers["x-ratelimit-remaining"], "0");
  });
});

void describe("pushed frames", () => {
  void it("a JPEG is decoded by ffmpeg to the camera's working size (shrunk to fit, aspect kept) and handed on", async () => {
    const { key } = await createKey("lobby");
    const jpeg = await readFile(PHOTO);
    const r = await stack.app.inject({
      method: "POST",
      url: "/v1/ingest/lobby/frames",
      headers: { authorization: `ApiKey ${key}`, "content-type": "image/jpeg" },
      payload: jpeg,
      remoteAddress: "10.20.0.5",
    });
    assert.equal(r.statusCode, 202, r.body);
    const frame = frames.at(-1);
    assert.equal(frame?.cameraId, "lobby");
    const source = frame?.source;
    assert.ok(frame && source && source.width > 256, JSON.stringify(source));
    // The stack's working size is 256x256: the longer side becomes 256 and the picture is not padded.
    assert.equal(Math.max(frame.width, frame.height), 256);
    assert.ok(Math.abs(frame.width / frame.height - source.width / source.height) < 0.02);
    assert.equal(frame.rgb.length, frame.width * frame.height * 3);
  });

  void it("garbage, the wrong type and oversize bodies are refused with codes", async () => {
    const { key } = await createKey("lobby");
    const send = (payload: Buffer | string, type: string) =>
      stack.app.inject({
        method: "POST",
        url: "/v1/ingest/lobby/frames",
        headers: { authorization: `ApiKey ${key}`, "content-type": type },
        payload,
        remoteAddress: "10.20.0.5",
      });
    const before = frames.length;
    const notJpeg = await send(Buffer.from("definitely not a jpeg"), "image/jpeg");
    assert.equal(notJpeg.statusCode, 400);
    assert.equal(errorCode(notJpeg), "VIGIL_E_VALIDATION");
    const shaped = await send(
      Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(1000, 7), Buffer.from([0xff, 0xd9])]),
      "image/jpeg",
    );
    assert.equal(shaped.statusCode, 400, "JPEG markers around garbage still fail to decode");
    const png = await send(Buffer.from("\x89PNG...."), "image/png");
    assert.equal(png.statusCode, 415);
    assert.equal(errorCode(png), "VIGIL_E_UNSUPPORTED_MEDIA_TYPE");
    const huge = await send(Buffer.alloc(2_500_000, 0xff), "image/jpeg");
    assert.equal(huge.statusCode, 413);
    assert.equal(errorCode(huge), "VIGIL_E_PAYLOAD_TOO_LARGE");
    assert.equal(frames.length, before);
  });
});
