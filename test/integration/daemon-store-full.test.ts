// A full data volume (issue 19), end to end: the daemon (a child process) on a 16 MiB tmpfs, a
// push camera posting events, the uplink to a real mosquitto stalled. Below the free-space reserve
// new camera events are refused with 507 VIGIL_E_STORE_FULL and Retry-After, logins still work
// inside the reserve, readiness and health say why, and a store.full alert is queued. Filled to
// the last byte, LevelDB fails a write; once space is freed the daemon reopens its store by
// itself (no restart), writes again, and everything it accepted reaches central.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { open, rm, statfs, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import type { Envelope } from "../../src/contract/envelope.js";
import { PASSWORD } from "../helpers/auth-client.js";
import { provisionBox, runCli, type TestBox } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";
import { startMosquitto, type MosquittoHandle } from "../helpers/mosquitto.js";
import { collectMqtt, type MqttCollector } from "../helpers/mqtt-collector.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

const SITE = "hq";
const GATEWAY = "gw-full";
const BASE = `vigil/${SITE}/${GATEWAY}`;
const MIB = 2 ** 20;

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** Writes zeros into `path` until the volume has `leave` bytes free, or until it is full (ENOSPC). */
async function fill(dir: string, path: string, leave: number): Promise<void> {
  const f = await open(path, "a");
  try {
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const room = (await freeBytes(dir)) - leave;
      if (room <= 0) return;
      try {
        await f.write(chunk, 0, Math.min(chunk.length, room));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOSPC") return;
        throw err;
      }
    }
  } finally {
    await f.close().catch(() => undefined);
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

void describe("a full data volume (daemon on a 16 MiB tmpfs, mosquitto)", () => {
  let mnt = "";
  let box: TestBox | undefined;
  let broker: MosquittoHandle | undefined;
  let proxy: TcpProxy | undefined;
  let collector: MqttCollector | undefined;

  before(async () => {
    mnt = await mkdtemp(join(tmpdir(), "vigil-full-volume-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", mnt]);
  });

  after(async () => {
    await collector?.close();
    await box?.cleanup();
    await proxy?.close();
    await broker?.stop();
    execFileSync("umount", [mnt]);
    await rm(mnt, { recursive: true, force: true });
  });

  void it("refuses low-priority writes below the reserve, keeps logins, reopens the store once space is back, and loses nothing accepted", async () => {
    broker = await startMosquitto();
    proxy = await startTcpProxy(broker.port);
    collector = await collectMqtt(broker.url, `${BASE}/#`);
    const httpPort = await freePort();
    const base = `http://127.0.0.1:${httpPort}`;
    box = await provisionBox({
      site: SITE,
      gateway: GATEWAY,
      data_dir: join(mnt, "data"),
      http: { listen: `127.0.0.1:${httpPort}` },
      mqtt: { brokers: [`mqtt://127.0.0.1:${proxy.port}`] },
      cameras: [{ id: "lobby", url: "rtsp://127.0.0.1:9/none", enabled: false }],
      store: { reserve_mib: 4, space_check_s: 1 },
    });
    const made = await runCli(["key", "create", "--camera", "lobby", "--config", box.configPath, "--json"]);
    assert.equal(made.code, 0, made.stdout + made.stderr);
    const cameraKey = (JSON.parse(made.stdout) as { key: string }).key;
    const added = await runCli(["user", "add", "otto", "--role", "viewer", "--config", box.configPath], {}, PASSWORD);
    assert.equal(added.code, 0, added.stdout + added.stderr);

    const pushEvent = (n: number) =>
      fetch(`${base}/v1/ingest/lobby/events`, {
        method: "POST",
        headers: { authorization: `ApiKey ${cameraKey}`, "content-type": "application/json" },
        body: JSON.stringify({ type: "door", details: { n } }),
      });
    const login = () =>
      fetch(`${base}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "otto", password: PASSWORD }),
      });
    const ready = async () => {
      const r = await fetch(`${base}/readyz`);
      return { status: r.status, body: await r.text() };
    };

    const daemon = box.start();
    try {
      await collector.waitFor(
        (m) => m.topic === `${BASE}/status` && (m.json() as { state: string }).state === "online",
        30_000,
      );
      await daemon.waitForLog((l) => l.msg === "started", 30_000);
      // The uplink stalls: everything from here waits in the outbox on the tmpfs.
      await proxy.down();
      proxy.cut();

      const accepted: number[] = [];
      for (let n = 0; n < 40; n++) {
        const r = await pushEvent(n);
        assert.equal(r.status, 202);
        accepted.push(n);
      }

      // Below the reserve (4 MiB): events (alerts) are refused with a code and a time to come back.
      const filler = join(mnt, "filler");
      await fill(mnt, filler, 3 * MIB);
      await waitUntil("the reserve to be noticed", async () => (await ready()).status === 503, 10_000);
      const refused = await pushEvent(999);
      assert.equal(refused.status, 507);
      assert.equal(refused.headers.get("retry-after"), "60");
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "VIGIL_E_STORE_FULL");
      // Logins write (a session, an audit entry): inside the reserve they still work, so someone can look.
      const inside = await login();
      assert.equal(inside.status, 200, await inside.clone().text());
      const token = ((await inside.json()) as { access_token: string }).access_token;
      const health = (await (
        await fetch(`${base}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { status: string; reasons: string[] };
      assert.equal(health.status, "failing");
      assert.ok(
        health.reasons.some((r) => /free-space reserve/.test(r)),
        JSON.stringify(health.reasons),
      );
      await daemon.waitForLog(
        (l) => l.msg === "data volume below its free-space reserve: refusing new alerts, then incidents",
        5_000,
      );

      // To the last byte: LevelDB fails a write, and keeps failing until the store is reopened.
      await fill(mnt, filler, 0);
      let failedWrite: Response | undefined;
      for (let i = 0; i < 20 && !failedWrite; i++) {
        const r = await login();
        if (r.status !== 200) failedWrite = r;
      }
      assert.equal(failedWrite?.status, 507, "a write failed on the full volume, answered as such");
      assert.equal(((await failedWrite.json()) as { error: { code: string } }).error.code, "VIGIL_E_STORE_FULL");
      await daemon.waitForLog(
        (l) =>
          l.msg === "store write failed: the data volume is full or failing; writes refused until free space is back",
        10_000,
      );
      const down = (await (
        await fetch(`${base}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { status: string; reasons: string[] };
      assert.equal(down.status, "failing");
      assert.ok(
        down.reasons.some((r) => /store cannot write/.test(r)),
        JSON.stringify(down.reasons),
      );

      // Space is back: the daemon reopens its store by itself and writes again, no restart.
      await rm(filler);
      await daemon.waitForLog((l) => l.msg === "store reopened and writing again", 15_000);
      await waitUntil("readiness", async () => (await ready()).status === 200, 10_000);
      assert.equal((await login()).status, 200);
      assert.equal((await pushEvent(1000)).status, 202);
      accepted.push(1000);
      assert.equal(daemon.child.exitCode, null, "still the same process");

      // The uplink comes back: every event accepted (before the volume filled and after) reaches central, and the store.full alert.
      await proxy.up();
      const events = () =>
        collector?.messages
          .filter((m) => m.topic === `${BASE}/alerts` && (m.json() as Envelope).type === "camera.event")
          .map((m) => (m.json() as Envelope<{ details: { n: number } }>).data.details.n) ?? [];
      await waitUntil(
        "every accepted event at central",
        async () => accepted.every((n) => events().includes(n)),
        30_000,
      );
      assert.ok(!events().includes(999), "the refused event was never accepted");
      await collector.waitFor(
        (m) => m.topic === `${BASE}/alerts` && (m.json() as Envelope).type === "store.full",
        10_000,
      );

      daemon.signal("SIGTERM");
      assert.equal(await daemon.exited, 0);
    } catch (err) {
      // What the daemon said last, to see why.
      console.error(JSON.stringify(daemon.logs.slice(-15)), daemon.stderr.slice(-10).join("\n"));
      throw err;
    }
  });
});
