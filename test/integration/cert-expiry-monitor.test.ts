// The certificate expiry monitor over a real site PKI made by SitePki in a temp dir (and a second
// CA's certificate as the operator HTTPS one): what it alerts, how often, what health shows, and
// that it never writes in certs_dir.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { CertExpiryMonitor, type WatchedFile } from "../../src/auth/pki/cert-expiry-monitor.js";
import { SitePki } from "../../src/auth/pki/site-pki.js";
import { createLogger } from "../../src/core/logger.js";

const HOUR = 3_600_000;
const log = createLogger({ level: "silent" });

interface Sent {
  type: string;
  data: Record<string, unknown>;
}

/** name:size:mtime of every file, to show the monitor wrote nothing. */
async function snapshot(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(
    names.map(async (n) => {
      const s = await stat(join(dir, n));
      return `${n}:${s.size}:${s.mtimeMs}`;
    }),
  );
}

void describe("certificate expiry monitor", () => {
  let root: string;
  let certs: string;
  let pki: SitePki;
  let files: WatchedFile[];
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-cert-expiry-"));
    certs = join(root, "certs");
    pki = new SitePki(certs, "hq");
    await pki.createCa();
    await pki.issue({ kind: "camera", name: "lobby", days: 5 });
    await pki.issue({ kind: "camera", name: "door" });
    await pki.issue({ kind: "camera", name: "hall", days: 3 });
    await pki.revoke("hall");
    // The operator HTTPS certificate from another CA: read from its file, not from the index.
    const other = new SitePki(join(root, "other"), "elsewhere");
    await other.createCa();
    await other.issue({ kind: "server", name: "web", ip: ["127.0.0.1"], days: 20 });
    files = [
      {
        name: "http.tls.cert",
        kind: "operator_https",
        label: "operator HTTPS certificate (http.tls.cert)",
        path: join(root, "other", "web.crt"),
      },
      // The site CA's own lobby certificate, configured again: watched once, as "lobby".
      {
        name: "mqtt.tls.cert",
        kind: "mqtt_client",
        label: "MQTT client certificate (mqtt.tls.cert)",
        path: join(certs, "lobby.crt"),
      },
    ];
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("alerts the 5-day certificate once a day, the 10-year CA never, and names it in health", async () => {
    const before = await snapshot(certs);
    let nowMs = Date.now();
    const sent: Sent[] = [];
    const monitor = new CertExpiryMonitor({
      certsDir: certs,
      thresholdDays: 30,
      files,
      log,
      now: () => new Date(nowMs),
      alert: async (type, data) => sent.push({ type, data }),
    });
    await monitor.start();
    try {
      const lobby = sent.filter((s) => s.data.name === "lobby");
      assert.equal(lobby.length, 1, JSON.stringify(sent));
      assert.equal(lobby[0]?.type, "security.cert_expiring");
      assert.equal(lobby[0]?.data.kind, "camera");
      assert.equal(lobby[0]?.data.days_left, 4);
      assert.match(String(lobby[0]?.data.serial), /^[0-9A-F]+$/);
      assert.deepEqual(
        sent.map((s) => `${s.type} ${String(s.data.name)}`).sort(),
        ["security.cert_expiring http.tls.cert", "security.cert_expiring lobby"],
        "nothing for the CA, the CRL, the 825-day door, the revoked hall, or lobby a second time as mqtt.tls.cert",
      );
      assert.deepEqual(monitor.reasons, [
        "certificate lobby expires in 4 days",
        "operator HTTPS certificate (http.tls.cert) expires in 19 days",
      ]);
      assert.deepEqual(
        monitor.certificates.map((c) => `${c.kind}:${c.name}:${c.status}`),
        [
          "ca:ca:valid",
          "crl:crl:valid",
          "camera:lobby:expiring",
          "camera:door:valid",
          "operator_https:http.tls.cert:expiring",
        ],
      );
      assert.ok((monitor.certificates[0]?.days_left ?? 0) >= 3649);

      nowMs += HOUR;
      await monitor.check();
      assert.equal(sent.length, 2, "a second check within the day does not alert again");

      nowMs += 24 * HOUR;
      await monitor.check();
      assert.deepEqual(
        sent
          .slice(2)
          .map((s) => `${s.type} ${String(s.data.name)} ${String(s.data.days_left)}`)
          .sort(),
        ["security.cert_expiring http.tls.cert 18", "security.cert_expiring lobby 3"],
        "a day later, again",
      );

      nowMs += 5 * 24 * HOUR;
      await monitor.check();
      assert.deepEqual(
        sent.slice(4).map((s) => `${s.type} ${String(s.data.name)}`),
        ["security.cert_expired lobby", "security.cert_expiring http.tls.cert"],
      );
      assert.match(monitor.reasons[0] ?? "", /^certificate lobby expired on \d{4}-\d{2}-\d{2}$/);
    } finally {
      await monitor.stop();
    }
    assert.deepEqual(await snapshot(certs), before, "certs_dir is only read");
  });

  void it("a box without a PKI or configured files has nothing to report", async () => {
    const sent: Sent[] = [];
    const missing = join(root, "none");
    const monitor = new CertExpiryMonitor({
      certsDir: missing,
      thresholdDays: 30,
      files: [
        {
          name: "mqtt.tls.cert",
          kind: "mqtt_client",
          label: "MQTT client certificate",
          path: join(missing, "client.crt"),
        },
      ],
      log,
      alert: async (type, data) => sent.push({ type, data }),
    });
    await monitor.start();
    await monitor.stop();
    assert.deepEqual(sent, []);
    assert.deepEqual(monitor.reasons, []);
    assert.deepEqual(monitor.certificates, []);
    await assert.rejects(stat(missing), { code: "ENOENT" }, "and creates nothing");
  });

  void it("checks again every interval, and retries an alert the sink refused", async () => {
    const sent: Sent[] = [];
    let refuse = true;
    const monitor = new CertExpiryMonitor({
      certsDir: certs,
      thresholdDays: 30,
      intervalMs: 50,
      log,
      alert: async (type, data) => {
        if (refuse && data.name === "lobby") throw new Error("outbox full");
        sent.push({ type, data });
      },
    });
    await monitor.start();
    try {
      assert.equal(sent.length, 0, "lobby refused, nothing else due");
      refuse = false;
      await pki.issue({ kind: "camera", name: "porch", days: 2 });
      for (let i = 0; i < 100 && sent.length < 2; i++) await sleep(20);
      assert.deepEqual(sent.map((s) => String(s.data.name)).sort(), ["lobby", "porch"]);
    } finally {
      await monitor.stop();
    }
  });
});
