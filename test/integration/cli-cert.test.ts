// `vigil cert ca|issue|revoke|list|crl` as installers run them: the built CLI in a child process
// against a box provisioned by the real `vigil init`. No daemon runs, so every change is audited
// by the CLI opening the store itself; the test then reads that real audit chain. Output, --json,
// exit codes (0 ok, 1 refused, 2 usage), key file modes, and that no private key is ever printed.
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { provisionBox, runCli, type TestBox, readStoredAudit } from "../helpers/daemon.js";

const ACTOR = `cli:${userInfo().username}`;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Issued {
  ok: true;
  certificate: { serial: string; name: string; subject: string; fingerprint_sha256: string };
  files: { cert: string; key: string };
}

interface JsonError {
  ok: false;
  error: { code: string; message: string; details?: { field?: string } };
}

function show(ran: Ran): string {
  return `exit ${ran.code}\nstdout: ${ran.stdout}\nstderr: ${ran.stderr}`;
}

function json<T>(ran: Ran): T {
  return JSON.parse(ran.stdout) as T;
}

function errorOf(ran: Ran): JsonError["error"] {
  return json<JsonError>(ran).error;
}

/** The base64 body of a PEM key: what would show if a verb printed the key in any framing. */
function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, "");
}

void describe("vigil cert: the real CLI against a provisioned box, audited in the real chain", () => {
  let box: TestBox;
  let certs: string;
  /** Every run's output, checked at the end for key material. */
  const outputs: Ran[] = [];
  const keyFiles = new Set<string>();
  // Each run is a process start (about 0.4 s; a verb that audits opens the store too): checks
  // that change nothing run side by side, writes one after another.
  const vigil = async (args: string[]): Promise<Ran> => {
    const ran = await runCli([...args, "--config", box.configPath], { VIGIL_CONFIG: "" });
    outputs.push(ran);
    return ran;
  };
  const serials = { ca: "", server: "", lobby: "", gateway: "", twin: "" };

  before(async () => {
    box = await provisionBox({
      site: "hq",
      gateway: "gw-01",
      certs_dir: "certs",
      // A camera for the lobby certificate to bind to; disabled, nothing is ever dialled.
      cameras: [{ id: "lobby", url: "rtsp://127.0.0.1:9/none", enabled: false }],
    });
    certs = join(box.dir, "certs");
  });
  after(async () => {
    await box?.cleanup();
  });

  void it("before a CA: list fails (1) naming `vigil cert ca`; --help exits 0; usage errors exit 2", async () => {
    const [early, help, badKind, badDays] = await Promise.all([
      vigil(["cert", "list"]),
      runCli(["cert", "issue", "--help"]),
      vigil(["cert", "issue", "--kind", "bogus"]),
      vigil(["cert", "ca", "--days", "0"]),
    ]);
    assert.equal(early.code, 1, show(early));
    assert.match(early.stderr, /VIGIL_E_PKI_FAILED: .*vigil cert ca/);
    assert.equal(help.code, 0, show(help));
    assert.match(help.stdout, /--kind <kind>[\s\S]*--config <file>[\s\S]*--json/);
    for (const ran of [badKind, badDays]) assert.equal(ran.code, 2, show(ran));
    assert.match(badKind.stderr, /argument 'bogus' is invalid/);
  });

  void it("ca creates the CA in certs_dir (relative to the config) with a 0600 key", async () => {
    const created = await vigil(["cert", "ca", "--json"]);
    assert.equal(created.code, 0, show(created));
    const ca = json<{
      ok: boolean;
      ca: { serial: string; fingerprint_sha256: string };
      files: { cert: string; key: string };
    }>(created);
    assert.equal(ca.ok, true);
    assert.equal(ca.files.key, join(certs, "ca.key"));
    assert.equal((await stat(ca.files.key)).mode & 0o777, 0o600);
    keyFiles.add(ca.files.key);
    serials.ca = ca.ca.serial;
  });

  void it("issue writes <name>.crt and a 0600 <name>.key and prints paths and fingerprint", async () => {
    const server = await vigil(["cert", "issue", "--kind", "server", "--ip", "127.0.0.1", "--dns", "gw01.local,gw01"]);
    assert.equal(server.code, 0, show(server));
    assert.match(server.stdout, new RegExp(`certificate  ${join(certs, "server.crt")}`));
    assert.match(server.stdout, new RegExp(`private key  ${join(certs, "server.key")} \\(mode 0600\\)`));
    assert.match(server.stdout, /sha256 {7}([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    serials.server = /serial ([0-9A-F]+)/.exec(server.stdout)?.[1] ?? "";
    assert.ok(serials.server, server.stdout);
    keyFiles.add(join(certs, "server.key"));

    const camera = await vigil(["cert", "issue", "--kind", "camera", "--name", "lobby", "--json"]);
    assert.equal(camera.code, 0, show(camera));
    const lobby = json<Issued>(camera);
    assert.equal(lobby.certificate.subject, "O=hq, OU=camera, CN=lobby");
    assert.equal((await stat(lobby.files.key)).mode & 0o777, 0o600);
    keyFiles.add(lobby.files.key);
    serials.lobby = lobby.certificate.serial;

    const gateway = await vigil(["cert", "issue", "--kind", "gateway", "--json"]);
    assert.equal(gateway.code, 0, show(gateway));
    const gw = json<Issued>(gateway);
    assert.equal(
      gw.certificate.subject,
      "O=hq, OU=gateway, CN=hq/gw-01",
      "named after the config's gateway by default",
    );
    keyFiles.add(gw.files.key);
    serials.gateway = gw.certificate.serial;

    // A camera named like lobby's serial: that selector now reads as two certificates.
    const twin = await vigil(["cert", "issue", "--kind", "camera", "--name", serials.lobby.toLowerCase()]);
    assert.equal(twin.code, 0, show(twin));
    assert.match(twin.stdout, /note: camera "[0-9a-f]+" is not in the config yet/);
    serials.twin = /serial ([0-9A-F]+)/.exec(twin.stdout)?.[1] ?? "";
    keyFiles.add(join(certs, `${serials.lobby.toLowerCase()}.key`));
  });

  void it("refuses a second CA, a server certificate without --dns/--ip, and revoking an unknown or ambiguous target or with a bad reason; nothing changes", async () => {
    const index = await readFile(join(certs, "index.json"), "utf8");
    const crl = await readFile(join(certs, "ca.crl"), "utf8");
    const [again, noSans, unknown, ambiguous, badReason] = await Promise.all([
      vigil(["cert", "ca", "--json"]),
      vigil(["cert", "issue", "--kind", "server", "--name", "edge", "--json"]),
      vigil(["cert", "revoke", "garage", "--json"]),
      vigil(["cert", "revoke", serials.lobby.toLowerCase(), "--json"]),
      vigil(["cert", "revoke", "lobby", "--reason", "because"]),
    ]);
    for (const ran of [again, noSans, unknown, ambiguous]) assert.equal(ran.code, 1, show(ran));
    assert.equal(badReason.code, 2, show(badReason));
    assert.match(badReason.stderr, /argument 'because' is invalid/);
    assert.equal(errorOf(again).code, "VIGIL_E_ALREADY_EXISTS");
    assert.equal(errorOf(noSans).code, "VIGIL_E_VALIDATION");
    assert.equal(errorOf(noSans).details?.field, "dns");
    assert.equal(errorOf(unknown).code, "VIGIL_E_NOT_FOUND");
    assert.equal(errorOf(ambiguous).code, "VIGIL_E_VALIDATION");
    assert.match(errorOf(ambiguous).message, /matches 2 certificates/);
    assert.equal(await readFile(join(certs, "index.json"), "utf8"), index, "the index is unchanged");
    assert.equal(await readFile(join(certs, "ca.crl"), "utf8"), crl, "the CRL is unchanged");
    await assert.rejects(stat(join(certs, "edge.key")), { code: "ENOENT" });
  });

  void it("revoke by name updates the CRL and the index; list shows status; crl re-signs", async () => {
    const revoked = await vigil(["cert", "revoke", "lobby", "--reason", "superseded", "--json"]);
    assert.equal(revoked.code, 0, show(revoked));
    const result = json<{ certificate: { serial: string; revocation_reason: string }; crl: { number: number } }>(
      revoked,
    );
    assert.equal(result.certificate.serial, serials.lobby);
    assert.equal(result.certificate.revocation_reason, "superseded");

    const [listedRun, table] = await Promise.all([
      vigil(["cert", "list", "--json", "--expiring-days", "1000"]),
      vigil(["cert", "list"]),
    ]);
    for (const ran of [listedRun, table]) assert.equal(ran.code, 0, show(ran));
    const listed = json<{ certificates: Array<{ name: string; status: string }>; crl: { number: number } }>(listedRun);
    // 825-day certificates are "expiring" within 1000 days; the revoked one stays revoked.
    assert.deepEqual(
      listed.certificates.map((c) => `${c.name}:${c.status}`),
      ["server:expiring", "lobby:revoked", "gw-01:expiring", `${serials.lobby.toLowerCase()}:expiring`],
    );
    assert.equal(listed.crl.number, result.crl.number);
    assert.match(table.stdout, /^site CA /);
    assert.match(table.stdout, /STATUS\s+KIND\s+NAME\s+SERIAL/);
    assert.match(table.stdout, /REVOKED\s+camera\s+lobby/);
    assert.match(table.stdout, /VALID\s+server\s+server/, "default threshold (30 days): valid");

    const crl = await vigil(["cert", "crl", "--json"]);
    assert.equal(crl.code, 0, show(crl));
    assert.equal(json<{ crl: { number: number } }>(crl).crl.number, result.crl.number + 1);
  });

  void it("the audit chain holds each change as cli:<os user> on cert:<serial>, and verifies", async () => {
    const verify = await vigil(["audit", "verify", "--json"]);
    assert.equal(verify.code, 0, show(verify));
    assert.equal(json<{ ok: boolean }>(verify).ok, true);

    const entries = await readStoredAudit(join(box.dir, "data"));
    const cert = entries.filter((e) => e.action.startsWith("cert."));
    assert.deepEqual(
      cert.map((e) => `${e.action} ${e.target}`),
      [
        `cert.ca_created cert:${serials.ca}`,
        `cert.issued cert:${serials.server}`,
        `cert.issued cert:${serials.lobby}`,
        `cert.issued cert:${serials.gateway}`,
        `cert.issued cert:${serials.twin}`,
        `cert.revoked cert:${serials.lobby}`,
        "cert.crl_refreshed cert:crl",
      ],
      "one entry per change, none for the refusals",
    );
    assert.ok(
      cert.every((e) => e.actor === ACTOR && e.result === "ok"),
      `every cert entry is the CLI's: ${JSON.stringify(cert.map((e) => e.actor))}`,
    );
    assert.equal(cert[2]?.details?.name, "lobby");
    assert.equal(cert[5]?.details?.reason, "superseded");
    assert.doesNotMatch(JSON.stringify(cert), /PRIVATE|BEGIN/);
  });

  void it("no verb ever printed a private key, on stdout or stderr", async () => {
    assert.equal(keyFiles.size, 5);
    const printed = outputs.map((r) => r.stdout + r.stderr).join("\n");
    assert.doesNotMatch(printed, /PRIVATE KEY/);
    for (const file of keyFiles) {
      const body = pemBody(await readFile(file, "utf8"));
      assert.ok(body.length > 40, file);
      assert.ok(!printed.includes(body.slice(0, 40)), `${file} appears in the output`);
    }
  });
});
