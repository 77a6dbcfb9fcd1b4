// The daemon's camera listener end to end: `vigil cert` makes the site CA, the server and two
// camera certificates; the daemon serves HTTPS that asks for client certificates; a camera posts
// as itself, not as another; `vigil cert revoke` while the daemon runs closes the revoked
// camera's open connection and refuses it from then on, while the other camera carries on.
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import type { Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type DaemonHandle, provisionBox, runCli, type TestBox } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";

let box: TestBox;
let daemon: DaemonHandle;
let port: number;
let ca: Buffer;
let httpPort: number;

interface Reply {
  status: number;
  body: string;
  socket: Socket;
}

function post(agent: Agent, cameraId: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: `/v1/ingest/${cameraId}/events`,
        agent,
        ca,
        servername: "localhost",
        headers: { "content-type": "application/json" },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, socket: req.socket as Socket }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ type: "tamper" }));
  });
}

async function agentFor(name: string): Promise<Agent> {
  const dir = join(box.dir, "certs");
  return new Agent({
    keepAlive: true,
    maxSockets: 1,
    cert: await readFile(join(dir, `${name}.crt`)),
    key: await readFile(join(dir, `${name}.key`)),
  });
}

async function cli(...args: string[]): Promise<unknown> {
  const r = await runCli([...args, "--config", box.configPath, "--json"]);
  assert.equal(r.code, 0, `vigil ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

before(async () => {
  port = await freePort();
  httpPort = await freePort();
  box = await provisionBox({
    site: "hq",
    gateway: "gw-01",
    certs_dir: "certs",
    http: {
      listen: `127.0.0.1:${httpPort}`,
      tls: { cert: "server.crt", key: "server.key" },
      camera_tls: { listen: `127.0.0.1:${port}`, reload_interval_s: 0.2 },
    },
    cameras: [
      { id: "lobby", url: "rtsp://127.0.0.1:1/none", push: { auth: "client_cert" } },
      { id: "yard", url: "rtsp://127.0.0.1:1/none", push: { auth: "client_cert" } },
    ],
  });
  await cli("cert", "ca");
  await cli("cert", "issue", "--kind", "server", "--dns", "localhost", "--ip", "127.0.0.1");
  await cli("cert", "issue", "--kind", "camera", "--name", "lobby");
  await cli("cert", "issue", "--kind", "camera", "--name", "yard");
  ca = await readFile(join(box.dir, "certs", "ca.crt"));
  // The operator API serves HTTPS with the server certificate made above.
  daemon = box.start();
  await daemon.waitForLog((l) => l.msg === "camera-tls listening", 30_000);
});
after(async () => {
  await box.cleanup();
});

void describe("the daemon's camera listener (mTLS)", () => {
  void it("a camera posts as itself with its certificate, and not as another camera", async () => {
    const lobby = await agentFor("lobby");
    const own = await post(lobby, "lobby");
    assert.equal(own.status, 202, own.body);
    const other = await post(lobby, "yard");
    assert.equal(other.status, 403);
    assert.equal((JSON.parse(other.body) as { error: { code: string } }).error.code, "VIGIL_E_CAMERA_MISMATCH");
    const anonymous = await post(new Agent({ keepAlive: false }), "lobby");
    assert.equal(anonymous.status, 401);
    lobby.destroy();
  });

  void it("revoking a certificate while the daemon runs closes its open connection and refuses it after", async () => {
    const lobby = await agentFor("lobby");
    const yard = await agentFor("yard");
    const first = await post(lobby, "lobby");
    assert.equal(first.status, 202);
    const yardFirst = await post(yard, "yard");
    const closed = once(first.socket, "close");
    await cli("cert", "revoke", "lobby", "--reason", "key_compromise");
    await Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error("revoked camera's connection stayed open")), 5000)),
    ]);
    const again = await post(lobby, "lobby");
    assert.equal(again.status, 401);
    // The other camera's connection is untouched and still works.
    const yardAgain = await post(yard, "yard");
    assert.equal(yardAgain.status, 202);
    assert.equal(yardAgain.socket, yardFirst.socket, "yard's keep-alive connection was kept");
    lobby.destroy();
    yard.destroy();
  });
});

void describe("the operator API over HTTPS", () => {
  const get = (options: { maxVersion?: "TLSv1.1" | "TLSv1.2" | "TLSv1.3"; minVersion?: "TLSv1" | "TLSv1.1" }) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: httpPort, path: "/healthz", ca, servername: "localhost", agent: false, ...options },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });

  void it("answers over TLS 1.2 and 1.3 with the site's server certificate", async () => {
    assert.equal(await get({}), 200);
    assert.equal(await get({ maxVersion: "TLSv1.2" }), 200);
  });

  void it("refuses TLS 1.1", async () => {
    await assert.rejects(get({ minVersion: "TLSv1", maxVersion: "TLSv1.1" }));
  });
});
