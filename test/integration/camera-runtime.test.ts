// Cameras added, changed and removed over the HTTP API of a running daemon, against real RTSP
// cameras: the added camera is probed and comes online while the config camera's ffmpeg keeps
// running (same pid), a disable stops it, a removal lasts across a restart, a camera that cannot
// be probed is refused with the reason (no credentials in it), and config cameras are read-only.
import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import {
  provisionBox,
  readStoredAudit,
  runCli,
  type DaemonHandle,
  type LogLine,
  type TestBox,
} from "../helpers/daemon.js";
import { childPidsWith } from "../helpers/ffmpeg-children.js";
import { freePort } from "../helpers/free-port.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

const PASSWORD = "Corr3ct-Horse-Battery!";
let door: RtspServerHandle;
let yard: RtspServerHandle;
let box: TestBox;
let daemon: DaemonHandle;
let base: string;
let token: string;

const state = (camera: string, s: string) => (l: LogLine) =>
  l.msg === "camera state" && l.camera === camera && l.state === s;

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> & { error?: { code: string; message: string } } }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: r.status,
    json: (await r.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

async function startAndLogin(): Promise<void> {
  daemon = box.start();
  await daemon.waitForLog(state("door", "online"), 30_000);
  const r = await fetch(`${base}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "root", password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  token = ((await r.json()) as { access_token: string }).access_token;
}

/** The daemon's ingest ffmpeg for a camera server (`-i URL -filter:v ...`, unlike the relay's `URL?tcp`; credentials may sit in the URL). */
async function ffmpegFor(server: RtspServerHandle): Promise<number[]> {
  return childPidsWith(daemon.child.pid ?? -1, `127.0.0.1:${server.port}/cam -`);
}

before(async () => {
  requireFixtures();
  const frames = fixturePath("sequences", "faces-cycle", "%05d.jpg");
  [door, yard] = await Promise.all([startRtspServer({ frames, fps: 10 }), startRtspServer({ frames, fps: 10 })]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  box = await provisionBox({
    site: "hq",
    gateway: "gw-cams",
    http: { listen: `127.0.0.1:${port}` },
    cameras: [{ id: "door", url: door.url, detect: { fps: 5 } }],
  });
  const add = await runCli(["user", "add", "root", "--role", "admin", "--config", box.configPath], {}, PASSWORD);
  assert.equal(add.code, 0, add.stderr);
  await startAndLogin();
});

after(async () => {
  await box.cleanup();
  await Promise.all([door.stop(), yard.stop()]);
});

void describe("cameras at runtime over the API", () => {
  void it("adds a probed camera that comes online without touching the running one", async () => {
    const [doorPid] = await ffmpegFor(door);
    assert.ok(doorPid !== undefined, "door's ffmpeg runs");
    const added = await api("POST", "/v1/cameras", {
      id: "yard",
      name: "Yard",
      url: yard.url,
      credentials: "viewer:Yard-Pass-77",
      detect: { fps: 5 },
    });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    assert.equal(added.json.has_credentials, true);
    assert.ok(!JSON.stringify(added.json).includes("Yard-Pass"));
    const cred = await stat(join(box.dir, "secrets", "camera-yard.cred"));
    assert.equal(cred.mode & 0o777, 0o600, "inline credentials are written to a 0600 file");
    assert.equal(added.json.origin, "runtime");
    assert.deepEqual(
      { ...(added.json.probe as object), probed_at: "-" },
      { codec: "h264", width: 640, height: 480, fps: 10, probed_at: "-" },
    );
    await daemon.waitForLog(state("yard", "online"), 30_000);
    assert.equal((await ffmpegFor(yard)).length, 1, "yard has its ffmpeg");
    assert.deepEqual(await ffmpegFor(door), [doorPid], "door's ffmpeg was not restarted");
    const shown = await api("GET", "/v1/cameras/yard");
    assert.equal(shown.json.origin, "runtime");
    assert.equal(shown.json.state, "online");
  });

  void it("refuses a camera whose stream cannot be read, with the reason and without its credentials", async () => {
    const url = `rtsp://127.0.0.1:${await freePort()}/none`;
    const refused = await api("POST", "/v1/cameras", { id: "ghost", url, credentials: "admin:hunter2-Secret" });
    assert.equal(refused.status, 422);
    assert.equal(refused.json.error?.code, "VIGIL_E_CAMERA_PROBE_FAILED");
    assert.equal(refused.json.error?.message, "probe failed: connection refused");
    assert.ok(!JSON.stringify(refused.json).includes("hunter2"), "the password is not in the answer");
    assert.equal((await api("GET", "/v1/cameras/ghost")).status, 404);
    assert.ok(
      !(await readdir(join(box.dir, "secrets"))).some((f) => f.includes("ghost")),
      "no credentials file left behind",
    );
    const offline = await api("POST", "/v1/cameras", { id: "ghost", url, probe: false, enabled: false });
    assert.equal(offline.status, 201, "with probe: false an offline camera can be added");
    assert.equal(offline.json.probe, null);
  });

  void it("serves live view of a camera on the daemon's operator listener", async () => {
    const ws = new WebSocket(`${base.replace("http", "ws")}/v1/cameras/door/live`, ["vigil.live", `bearer.${token}`]);
    const received: Buffer[] = [];
    ws.on("message", (d: Buffer) => received.push(d));
    for (let i = 0; i < 200 && !Buffer.concat(received).includes(Buffer.from([0, 0, 1, 0xb3])); i++) await sleep(100);
    assert.ok(Buffer.concat(received).includes(Buffer.from([0, 0, 1, 0xb3])), "MPEG-1 sequence header received");
    assert.equal(
      (await childPidsWith(daemon.child.pid ?? -1, `127.0.0.1:${door.port}/cam?tcp`)).length,
      1,
      "one relay ffmpeg beside the ingest",
    );
    const closed = new Promise((resolve) => ws.once("close", resolve));
    ws.close();
    await closed;
  });

  void it("keeps config cameras read-only", async () => {
    for (const [method, body] of [
      ["PATCH", { enabled: false }],
      ["DELETE", undefined],
    ] as const) {
      const r = await api(method, "/v1/cameras/door", body);
      assert.equal(r.status, 409);
      assert.equal(r.json.error?.code, "VIGIL_E_CAMERA_PROVISIONED");
    }
    assert.equal(
      (await api("POST", "/v1/cameras", { id: "door", url: yard.url })).json.error?.code,
      "VIGIL_E_ALREADY_EXISTS",
    );
  });

  void it("disables, then removes a runtime camera; the removal lasts across a restart", async () => {
    const [doorPid] = await ffmpegFor(door);
    const disabled = await api("PATCH", "/v1/cameras/yard", { enabled: false });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.json));
    assert.equal(disabled.json.enabled, false);
    await daemon.waitForLog(state("yard", "disabled"), 10_000);
    for (let i = 0; i < 50 && (await ffmpegFor(yard)).length > 0; i++) await sleep(100);
    assert.deepEqual(await ffmpegFor(yard), [], "yard's ffmpeg stopped");
    const removed = await api("DELETE", "/v1/cameras/yard");
    assert.deepEqual(removed.json, { removed: "yard", revoked_keys: [] });
    await assert.rejects(
      stat(join(box.dir, "secrets", "camera-yard.cred")),
      "the credentials file Vigil wrote goes with the camera",
    );
    assert.equal((await api("GET", "/v1/cameras/yard")).status, 404);
    assert.deepEqual(await ffmpegFor(door), [doorPid], "door streamed through it all");

    daemon.signal("SIGTERM");
    assert.equal(await daemon.exited, 0);
    await startAndLogin();
    const ids = ((await api("GET", "/v1/cameras")).json.cameras as Array<{ id: string; origin: string }>).map((c) => [
      c.id,
      c.origin,
    ]);
    assert.deepEqual(ids, [
      ["door", "config"],
      ["ghost", "runtime"],
    ]);
    daemon.signal("SIGTERM");
    await daemon.exited;
    const entries = await readStoredAudit(join(box.dir, "data"));
    assert.ok(!JSON.stringify(entries).includes("Yard-Pass"), "no password in the audit trail");
    const actions = entries
      .filter((e) => e.action.startsWith("camera.") && e.action !== "camera.live_view")
      .map((e) => [e.action, e.target, e.actor]);
    assert.deepEqual(actions, [
      ["camera.add", "camera:yard", "root"],
      ["camera.add", "camera:ghost", "root"],
      ["camera.update", "camera:yard", "root"],
      ["camera.remove", "camera:yard", "root"],
    ]);
  });
});
