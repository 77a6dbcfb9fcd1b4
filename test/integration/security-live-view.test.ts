// Issue 15, finding 5: the live view is a long-lived connection, so the token check at the
// upgrade is not enough. Viewers come with one-time tickets instead of an access token in the URL,
// are closed when their session ends (logout, disable, password change), may not flood upgrades
// or send large frames, and browsers of other origins are refused. Real RTSP camera, real ffmpeg
// relay, real WebSocket clients.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { CameraConfig } from "../../src/config/schema.js";
import { LiveView } from "../../src/ingest/live-view.js";
import { addUser, bearer, errorCode, loginOk, PASSWORD } from "../helpers/auth-client.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";
import { silentLogger } from "../helpers/uplink-stack.js";

let rtsp: RtspServerHandle;
let dir: string;
let stack: AuthStack;
const lives: LiveView[] = [];
let base: string;
let guarded: { server: Server; base: string };

interface Viewer {
  ws: WebSocket;
  opened: Promise<boolean>;
  closed: Promise<{ code: number; reason: string }>;
  /** The HTTP status of a refused handshake. */
  refused: Promise<number>;
}

function connect(url: string, protocols?: string[], headers?: Record<string, string>): Viewer {
  const ws = new WebSocket(url, protocols, { headers });
  const opened = new Promise<boolean>((resolve) => {
    ws.once("open", () => resolve(true));
    ws.once("error", () => resolve(false));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const refused = new Promise<number>((resolve) =>
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
  );
  ws.on("error", () => undefined);
  return { ws, opened, closed, refused };
}

function liveView(door: CameraConfig, upgradesPerMinute: number): LiveView {
  const live = new LiveView({
    enabled: true,
    maxViewers: 10,
    idleStopMs: 300,
    fps: 25,
    maxWidth: 640,
    bitrateKbps: 300,
    camera: (id) => (id === door.id ? { config: door, size: { width: 640, height: 480 } } : undefined),
    readCredentials: async () => undefined,
    auth: {
      tickets: stack.auth.liveTickets,
      authenticate: (request, needed) => stack.auth.authenticator.authenticate(request, needed),
      standing: (principal, needed) => stack.auth.authenticator.standing(principal, needed),
    },
    onSessionsEnded: stack.auth.onSessionsEnded,
    recheckMs: 60_000,
    upgradesPerMinute,
    allowedOrigins: ["https://console.site"],
    audit: stack.audit,
    log: silentLogger(),
  });
  lives.push(live);
  return live;
}

async function ticketFor(token: string, camera = "door"): Promise<string> {
  const r = await stack.app.inject({
    method: "POST",
    url: `/v1/cameras/${camera}/live-ticket`,
    headers: bearer(token),
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json<{ ticket: string }>().ticket;
}

before(async () => {
  requireFixtures();
  rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
  dir = await mkdtemp(join(tmpdir(), "vigil-sec-live-"));
  stack = await openAuthStack(dir, { config: { cameras: [{ id: "door", url: rtsp.url }] } });
  const door: CameraConfig = { id: "door", url: rtsp.url, enabled: true, detect: { fps: 5 }, push: { auth: "either" } };
  const live = liveView(door, 1000);
  await live.start();
  await stack.app.listen({ host: "127.0.0.1", port: 0 });
  live.attach(stack.app.server);
  base = `ws://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}/v1/cameras`;
  // A second listener whose live view allows 3 upgrades a minute per address.
  const strict = liveView(door, 3);
  await strict.start();
  const server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  strict.attach(server);
  guarded = { server, base: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/cameras` };
});

after(async () => {
  for (const live of lives) await live.stop();
  await new Promise<void>((resolve) => guarded.server.close(() => resolve()));
  await stack.close();
  await rtsp.stop();
  await rm(dir, { recursive: true, force: true });
});

void describe("live view tickets", () => {
  void it("a ticket opens one viewer of its camera, once", async () => {
    await addUser(stack.auth, "tech", "viewer");
    const token = (await loginOk(stack.app, "tech", PASSWORD, "10.51.0.1")).access_token;
    const ticket = await ticketFor(token);
    assert.match(ticket, /^lt_[A-Za-z0-9_-]{43}$/);
    const first = connect(`${base}/door/live`, ["vigil.live", `ticket.${ticket}`]);
    assert.equal(await first.opened, true);
    const again = await connect(`${base}/door/live`, ["vigil.live", `ticket.${ticket}`]).closed;
    assert.equal(again.code, 4401, "a used ticket is refused");
    assert.match(again.reason, /^VIGIL_E_UNAUTHENTICATED/);
    const other = await ticketFor(token);
    assert.equal(
      (await connect(`${base}/elsewhere/live`, ["vigil.live", `ticket.${other}`]).closed).code,
      4401,
      "a ticket is for one camera",
    );
    const unknown = await stack.app.inject({
      method: "POST",
      url: "/v1/cameras/nope/live-ticket",
      headers: bearer(token),
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorCode(unknown), "VIGIL_E_CAMERA_UNKNOWN");
    first.ws.close();
    await first.closed;
  });

  void it("an access token in the URL is not accepted any more", async () => {
    const token = (await loginOk(stack.app, "tech", PASSWORD, "10.51.0.2")).access_token;
    const closed = await connect(`${base}/door/live?access_token=${token}`).closed;
    assert.equal(closed.code, 4401);
  });
});

void describe("live view sessions", () => {
  const cases: Array<[string, (token: string) => Promise<void>]> = [
    [
      "logout",
      async (token) => {
        const r = await stack.app.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(token) });
        assert.equal(r.statusCode < 300, true, r.body);
      },
    ],
    ["disable", async () => void (await stack.auth.users.setDisabled("watcher", true, { name: "test" }))],
    [
      "password reset",
      async () => void (await stack.auth.users.resetPassword("watcher", "An0ther-Passw0rd-here!", { name: "test" })),
    ],
  ];
  void it("a viewer is closed with 4401 as soon as its session ends", async () => {
    await addUser(stack.auth, "watcher", "viewer");
    for (const [what, end] of cases) {
      await stack.auth.users.setDisabled("watcher", false, { name: "test" }).catch(() => undefined);
      const token = (await loginOk(stack.app, "watcher", PASSWORD, "10.52.0.1")).access_token;
      const viewer = connect(`${base}/door/live`, ["vigil.live", `ticket.${await ticketFor(token)}`]);
      assert.equal(await viewer.opened, true, what);
      const started = Date.now();
      await end(token);
      const closed = await viewer.closed;
      assert.equal(closed.code, 4401, what);
      assert.match(closed.reason, /^VIGIL_E_UNAUTHENTICATED/, what);
      assert.ok(Date.now() - started < 2000, `${what}: closed at once, not at the next periodic check`);
    }
  });

  void it("the periodic check leaves a viewer whose session still stands", async () => {
    await addUser(stack.auth, "idler", "viewer");
    const token = (await loginOk(stack.app, "idler", PASSWORD, "10.52.0.2")).access_token;
    const viewer = connect(`${base}/door/live`, ["vigil.live", `bearer.${token}`]);
    assert.equal(await viewer.opened, true);
    for (const live of lives) live.recheck();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(viewer.ws.readyState, WebSocket.OPEN);
    // Deleting the user ends the session like the rest; the viewer goes too.
    await stack.auth.users.delete("idler", { name: "test" });
    assert.equal((await viewer.closed).code, 4401);
  });
});

void describe("live view upgrades", () => {
  void it("more upgrades a minute from one address than the limit are refused with 429 before the handshake", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const v = connect(`${guarded.base}/door/live`);
      statuses.push(await Promise.race([v.refused, v.closed.then((c) => c.code)]));
    }
    assert.deepEqual(statuses, [4401, 4401, 4401, 429, 429]);
  });

  void it("a browser page of another origin is refused with 403; the same origin and listed ones are not", async () => {
    const port = new URL(base).port;
    const evil = connect(`${base}/door/live`, ["vigil.live"], { origin: "https://evil.example" });
    assert.equal(await evil.refused, 403);
    for (const origin of [`http://127.0.0.1:${port}`, "https://console.site"]) {
      const ok = connect(`${base}/door/live`, ["vigil.live"], { origin });
      assert.equal((await ok.closed).code, 4401, `${origin} reaches the credential check`);
    }
  });

  void it("a viewer that sends more than 1 KiB is cut off (1009)", async () => {
    const token = (await loginOk(stack.app, "tech", PASSWORD, "10.53.0.1")).access_token;
    const viewer = connect(`${base}/door/live`, ["vigil.live", `ticket.${await ticketFor(token)}`]);
    assert.equal(await viewer.opened, true);
    viewer.ws.send(Buffer.alloc(2048, 1));
    assert.equal((await viewer.closed).code, 1009);
  });
});
