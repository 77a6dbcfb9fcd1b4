// GET /v1/cameras/:id/snapshot.jpg on the real composed operator API: who may read it, what it
// answers before the first frame, and that pushed frames become the camera's snapshot.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SnapshotCache } from "../../src/ingest/snapshot-cache.js";
import { addUser, bearer, errorCode, loginOk } from "../helpers/auth-client.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { fixturePath } from "../helpers/rtsp-server.js";

let dir: string;
let stack: AuthStack;
let viewer = "";
let admin = "";
const snapshots = new SnapshotCache(2);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-snap-"));
  stack = await openAuthStack(dir, {
    config: {
      cameras: [
        { id: "lobby", url: "rtsp://127.0.0.1:8554/lobby" },
        { id: "yard", url: "rtsp://127.0.0.1:8554/yard" },
      ],
    },
    snapshots,
  });
  await addUser(stack.auth, "vera", "viewer");
  await addUser(stack.auth, "root", "admin");
  viewer = (await loginOk(stack.app, "vera")).access_token;
  admin = (await loginOk(stack.app, "root")).access_token;
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (id: string, headers: Record<string, string> = bearer(viewer)) =>
  stack.app.inject({ method: "GET", url: `/v1/cameras/${id}/snapshot.jpg`, headers });

void describe("GET /v1/cameras/:id/snapshot.jpg", () => {
  void it("before the first frame: 404 with its own code; an unknown camera: 404 camera unknown; no token: 401", async () => {
    const none = await get("yard");
    assert.equal(none.statusCode, 404);
    assert.equal(errorCode(none), "VIGIL_E_SNAPSHOT_UNAVAILABLE");
    const unknown = await get("nowhere");
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorCode(unknown), "VIGIL_E_CAMERA_UNKNOWN");
    const anonymous = await get("yard", {});
    assert.equal(anonymous.statusCode, 401);
    assert.equal((await get("Bad Id")).statusCode, 400);
  });

  void it("a viewer gets the newest JPEG, never cached, with its capture time", async () => {
    const older = await readFile(fixturePath("photos", "dog.jpg"));
    const newer = await readFile(fixturePath("photos", "person.jpg"));
    snapshots.put("yard", older, Date.parse("2026-11-22T12:00:00Z"));
    snapshots.put("yard", newer, Date.parse("2026-11-22T12:00:01Z"));
    const r = await get("yard");
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers["content-type"], "image/jpeg");
    assert.equal(r.headers["cache-control"], "no-store");
    assert.equal(r.headers["x-captured-at"], "2026-11-22T12:00:01.000Z");
    assert.ok(r.rawPayload.equals(newer));
  });

  void it("a push camera's uploaded frame becomes its snapshot", async () => {
    const created = await stack.app.inject({
      method: "POST",
      url: "/v1/cameras/lobby/keys",
      headers: bearer(admin),
      payload: { scopes: ["frames:write"] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const key = created.json<{ key: string }>().key;
    const jpeg = await readFile(fixturePath("photos", "sample1.jpg"));
    const pushed = await stack.app.inject({
      method: "POST",
      url: "/v1/ingest/lobby/frames",
      headers: { authorization: `ApiKey ${key}`, "content-type": "image/jpeg" },
      payload: jpeg,
    });
    assert.ok(pushed.statusCode < 300, pushed.body);
    const r = await get("lobby");
    assert.equal(r.statusCode, 200);
    assert.ok(r.rawPayload.equals(jpeg));
  });
});
