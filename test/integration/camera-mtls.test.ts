// The camera HTTPS listener's trust, over real TLS on loopback: certificates made by the site PKI,
// a Node https server using the trust store, and real client connections.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { Agent, createServer, request, type Server } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { CameraTrustStore } from "../../src/auth/mtls/camera-trust-store.js";
import { type CameraCertIdentity, identifyCamera, type PeerTlsSocket } from "../../src/auth/mtls/identify-camera.js";
import { SitePki } from "../../src/auth/pki/site-pki.js";
import type { CameraConfig } from "../../src/config/schema.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/logger.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";
import { freePort } from "../helpers/free-port.js";

const cameras: Array<Pick<CameraConfig, "id" | "push">> = [
  { id: "lobby", push: { auth: "either" } },
  { id: "dock", push: { auth: "client_cert" } },
];
const TLS_FILES = { cert: "server.crt", key: "server.key", ca: "ca.crt", crl: "ca.crl" };

interface ClientCert {
  cert: Buffer;
  key: Buffer;
}

interface Answer {
  status: number;
  identity: CameraCertIdentity;
  socket: Socket;
}

async function within<T>(ms: number, work: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

void describe("camera mTLS trust store", () => {
  let root: string;
  let dir: string;
  let pki: SitePki;
  let ca: Buffer;
  let port: number;
  let server: Server;
  let trust: CameraTrustStore;
  const creds = new Map<string, ClientCert>();

  async function load(d: string, name: string): Promise<ClientCert> {
    return { cert: await readFile(join(d, `${name}.crt`)), key: await readFile(join(d, `${name}.key`)) };
  }

  function call(client: ClientCert | undefined, agent: Agent | false = false): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/v1/ingest/lobby/frames", method: "GET", ca, agent, ...(client ?? {}) },
        (res) => {
          // Taken now: a keep-alive agent detaches the socket from the response once it ends.
          const socket = res.socket;
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              identity: JSON.parse(Buffer.concat(chunks).toString()) as CameraCertIdentity,
              socket,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-mtls-"));
    dir = join(root, "certs");
    pki = new SitePki(dir, "hq");
    await pki.createCa();
    await pki.issue({ kind: "server", name: "server", ip: ["127.0.0.1"] });
    for (const name of ["lobby", "dock", "garage"]) await pki.issue({ kind: "camera", name });
    await pki.issue({ kind: "gateway", name: "gw-01" });
    // Issued three days ago for one day: OpenSSL calls it expired.
    await new SitePki(dir, "hq", () => new Date(Date.now() - 3 * 86_400_000)).issue({
      kind: "camera",
      name: "old",
      days: 1,
    });
    const rogue = new SitePki(join(root, "rogue"), "hq");
    await rogue.createCa();
    await rogue.issue({ kind: "camera", name: "lobby" });
    ca = await readFile(join(dir, "ca.crt"));
    for (const name of ["lobby", "dock", "garage", "gw-01", "old", "server"]) creds.set(name, await load(dir, name));
    creds.set("rogue", await load(join(root, "rogue"), "lobby"));

    trust = new CameraTrustStore({
      certsDir: dir,
      tls: { ...TLS_FILES, reload_interval_s: 0.1 },
      log: createLogger({ level: "silent" }),
    });
    await trust.start();
    server = createServer(trust.tlsOptions(), (req, res) => {
      const identity = identifyCamera(req.socket as TLSSocket, cameras, trust);
      res.writeHead(identity.ok ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify(identity));
    });
    trust.attach(server);
    port = await freePort();
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await trust.stop();
    await rm(root, { recursive: true, force: true });
  });

  void it("identifies a site camera certificate as its camera", async () => {
    const answer = await call(creds.get("lobby"));
    assert.equal(answer.status, 200);
    assert.ok(answer.identity.ok);
    assert.equal(answer.identity.cameraId, "lobby");
    assert.equal(answer.identity.rule, "default");
    const record = (await pki.list()).certificates.find((c) => c.name === "lobby");
    assert.equal(answer.identity.fingerprint, record?.fingerprint_sha256);
    assert.equal(answer.identity.serial, record?.serial);
    assert.equal(answer.identity.subject, "O=hq, OU=camera, CN=lobby");
  });

  void it("refuses no certificate, another CA's, an expired one, a gateway's and a server's, each with its reason", async () => {
    const reasons: Record<string, string> = {};
    for (const who of ["none", "rogue", "old", "gw-01", "garage", "server"]) {
      const answer = await call(who === "none" ? undefined : creds.get(who));
      reasons[who] = answer.identity.ok ? `ok:${answer.identity.cameraId}` : answer.identity.reason;
    }
    // garage has a valid site camera certificate but no camera of that id is configured.
    assert.deepEqual(reasons, {
      none: "absent",
      rogue: "untrusted",
      old: "expired",
      "gw-01": "unbound",
      garage: "unbound",
      server: "untrusted",
    });
  });

  void it("a revocation refuses new connections and closes an open keep-alive connection of that certificate", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ...creds.get("dock") });
    try {
      const first = await call(creds.get("dock"), agent);
      assert.equal(first.status, 200);
      assert.equal(trust.openConnections(first.identity.ok ? first.identity.serial : "?"), 1);
      const closed = once(first.socket, "close");
      const lobbyKept = await call(creds.get("lobby"), new Agent({ keepAlive: true, ...creds.get("lobby") }));

      await pki.revoke("dock", "key_compromise");
      // The poll (every 100 ms here) notices the new CRL, reloads, and cuts the connection.
      await within(3000, closed, "the keep-alive connection of the revoked certificate stayed open");
      assert.equal(lobbyKept.socket.destroyed, false, "connections of other certificates stay open");
      lobbyKept.socket.destroy();

      const again = await call(creds.get("dock"));
      assert.equal(again.status, 401);
      assert.equal(again.identity.ok, false);
      assert.equal(again.identity.ok ? "" : again.identity.reason, "revoked");
      assert.equal((await call(creds.get("lobby"))).status, 200);
    } finally {
      agent.destroy();
    }
  });

  void it("checks revocation and validity itself, not only through OpenSSL's verdict (resumed sessions, reloads)", () => {
    // A socket OpenSSL called authorized (as a session resumed from before the revocation is).
    const authorized = (name: string): PeerTlsSocket => ({
      authorized: true,
      getPeerX509Certificate: () => new X509Certificate(creds.get(name)?.cert ?? ""),
    });
    const dock = identifyCamera(authorized("dock"), cameras, trust);
    assert.equal(dock.ok ? "ok" : dock.reason, "revoked", "dock was revoked in the test before");
    const old = identifyCamera(authorized("old"), cameras, trust);
    assert.equal(old.ok ? "ok" : old.reason, "expired");
    const lobby = identifyCamera(authorized("lobby"), cameras, { isRevoked: () => false });
    assert.equal(lobby.ok && lobby.cameraId, "lobby");
  });

  void it("keeps the last good material when new files are unusable, and takes a CRL that appears later", async () => {
    const crl = await readFile(join(dir, "ca.crl"));
    await writeFile(join(dir, "ca.crl"), "-----BEGIN X509 CRL-----\nbroken\n-----END X509 CRL-----\n");
    await expectVigilAsync(trust.reload(), ErrorCodes.CONFIG_INVALID);
    assert.equal(
      trust.isRevoked((await pki.list()).certificates.find((c) => c.name === "dock")?.serial ?? ""),
      true,
      "old CRL still in force",
    );
    assert.equal((await call(creds.get("lobby"))).status, 200);
    await writeFile(join(dir, "ca.crl"), crl);
    assert.equal(await trust.reload(), false, "back to the files in force");
  });

  void it("starts without a CRL (nothing revoked) but not without the CA, naming the file", async () => {
    const bare = join(root, "bare");
    const barePki = new SitePki(bare, "hq");
    await barePki.createCa();
    await barePki.issue({ kind: "server", name: "server", ip: ["127.0.0.1"] });
    await unlink(join(bare, "ca.crl"));
    const noCrl = new CameraTrustStore({
      certsDir: bare,
      tls: { ...TLS_FILES, reload_interval_s: 5 },
      log: createLogger({ level: "silent" }),
    });
    await noCrl.start();
    assert.equal(noCrl.status().revoked, 0);
    assert.equal(noCrl.tlsOptions().crl, undefined);
    await noCrl.stop();
    await unlink(join(bare, "ca.crt"));
    const noCa = new CameraTrustStore({
      certsDir: bare,
      tls: { ...TLS_FILES, reload_interval_s: 5 },
      log: createLogger({ level: "silent" }),
    });
    const err = await expectVigilAsync(noCa.start(), ErrorCodes.CONFIG_INVALID);
    assert.match(err.message, /http\.camera_tls\.ca: .*ca\.crt/);
  });
});
