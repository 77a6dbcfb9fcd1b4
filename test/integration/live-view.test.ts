// Live view for real: a GStreamer RTSP camera, node-rtsp-stream's Mpeg1Muxer running ffmpeg, and
// WebSocket viewers on a listening operator API with real access tokens. Two viewers share one
// relay and get MPEG-1, a third is refused by the limit, and the relay's ffmpeg is gone after both
// leave.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { CameraConfig } from "../../src/config/schema.js";
import { LiveView } from "../../src/ingest/live-view.js";
import { addUser, loginOk } from "../helpers/auth-client.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const MPEG1_SEQUENCE_HEADER = Buffer.from([0x00, 0x00, 0x01, 0xb3]);

interface Viewer {
  ws: WebSocket;
  received: Buffer[];
  closed: Promise<{ code: number; reason: string }>;
}

function connect(url: string, protocols?: string[]): Viewer {
  const ws = new WebSocket(url, protocols);
  const received: Buffer[] = [];
  ws.on("message", (data: Buffer) => received.push(data));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, received, closed };
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let rtsp: RtspServerHandle;
let dir: string;
let stack: AuthStack;
let live: LiveView;
let base: string;
let token: string;

before(async () => {
  requireFixtures();
  rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
  dir = await mkdtemp(join(tmpdir(), "vigil-live-"));
  stack = await openAuthStack(dir);
  await addUser(stack.auth, "tech", "viewer");
  token = (await loginOk(stack.app, "tech")).access_token;
  const door: CameraConfig = { id: "door", url: rtsp.url, enabled: true, detect: { fps: 5 }, push: { auth: "either" } };
  const off: CameraConfig = { ...door, id: "off", enabled: false };
  live = new LiveView({
    enabled: true,
    maxViewers: 2,
    idleStopMs: 300,
    fps: 25,
    maxWidth: 1280,
    bitrateKbps: 500,
    camera: (id) =>
      [door, off].map((config) => ({ config, size: { width: 640, height: 480 } })).find((c) => c.config.id === id),
    readCredentials: async () => undefined,
    auth: {
      tickets: stack.auth.liveTickets,
      authenticate: (request, needed) => stack.auth.authenticator.authenticate(request, needed),
      standing: (principal, needed) => stack.auth.authenticator.standing(principal, needed),
    },
    onSessionsEnded: stack.auth.onSessionsEnded,
    recheckMs: 60_000,
    upgradesPerMinute: 20,
    allowedOrigins: [],
    audit: stack.audit,
    log: silentLogger(),
  });
  await stack.app.listen({ host: "127.0.0.1", port: 0 });
  await live.start();
  live.attach(stack.app.server);
  const address = stack.app.server.address();
  assert.ok(address && typeof address === "object");
  base = `ws://127.0.0.1:${address.port}/v1/cameras`;
});

after(async () => {
  await live.stop();
  await stack.close();
  await rtsp.stop();
  await rm(dir, { recursive: true, force: true });
});

void describe("live view over WebSocket", () => {
  void it("relays one camera to two viewers through one ffmpeg, refuses a third, and stops after they leave", async () => {
    const a = connect(`${base}/door/live`, ["vigil.live", `bearer.${token}`]);
    const b = connect(`${base}/door/live`, ["vigil.live", `bearer.${token}`]);
    const sawMpeg1 = (v: Viewer) => () => Buffer.concat(v.received).includes(MPEG1_SEQUENCE_HEADER);
    await until("MPEG-1 at viewer a", sawMpeg1(a), 20_000);
    await until("MPEG-1 at viewer b", sawMpeg1(b), 20_000);
    assert.equal(b.ws.protocol, "vigil.live", "the token subprotocol is never echoed back");
    for (const v of [a, b])
      assert.deepEqual(
        [...(v.received[0] ?? [])],
        [0x6a, 0x73, 0x6d, 0x70, 0x02, 0x80, 0x01, 0xe0],
        "jsmp header with 640x480 first",
      );

    const relay = live.relayStats("door");
    assert.equal(relay.viewers, 2);
    assert.ok(relay.pid !== undefined && alive(relay.pid), "one relay ffmpeg runs");

    const c = connect(`${base}/door/live`, ["vigil.live", `bearer.${token}`]);
    const refused = await c.closed;
    assert.equal(refused.code, 4429);
    assert.match(refused.reason, /^VIGIL_E_LIVE_VIEW_FULL/);
    assert.equal(live.relayStats("door").pid, relay.pid, "the refused viewer did not start another relay");

    a.ws.close();
    b.ws.close();
    await Promise.all([a.closed, b.closed]);
    await until("the relay's ffmpeg to exit", () => !alive(relay.pid ?? 0), 10_000);
    assert.equal(live.relayStats("door").pid, undefined);

    const audited = (await stack.auditEntries()).filter((e) => e.action === "camera.live_view");
    assert.deepEqual(
      audited.map((e) => [e.actor, e.target]),
      [
        ["tech", "camera:door"],
        ["tech", "camera:door"],
      ],
    );
  });

  void it("refuses a missing or bad token, an unknown camera and a disabled one with clear close codes", async () => {
    const bearer = ["vigil.live", `bearer.${token}`];
    const cases: Array<[string, string[] | undefined, number, RegExp]> = [
      [`${base}/door/live`, undefined, 4401, /^VIGIL_E_UNAUTHENTICATED/],
      [`${base}/door/live`, ["vigil.live", "bearer.not.a.token"], 4401, /^VIGIL_E_UNAUTHENTICATED/],
      [`${base}/door/live?access_token=${token}`, undefined, 4401, /^VIGIL_E_UNAUTHENTICATED/],
      [`${base}/nope/live`, bearer, 4404, /^VIGIL_E_CAMERA_UNKNOWN/],
      [`${base}/off/live`, bearer, 4503, /^VIGIL_E_LIVE_VIEW_UNAVAILABLE/],
    ];
    for (const [url, protocols, code, reason] of cases) {
      const closed = await connect(url, protocols).closed;
      assert.equal(closed.code, code, url);
      assert.match(closed.reason, reason);
    }
    assert.equal(live.relayStats("door").pid, undefined, "no relay started for a refused viewer");
  });
});
