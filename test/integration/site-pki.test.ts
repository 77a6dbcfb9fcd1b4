// The site CA on disk, cross-checked with Debian's openssl: what it writes, with which modes, and
// that `openssl verify -crl_check` agrees with the CRL it keeps.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { SitePki } from "../../src/auth/pki/site-pki.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";

const run = promisify(execFile);

interface Verdict {
  ok: boolean;
  output: string;
}

function opensslVerify(dir: string, cert: string, purpose?: string): Promise<Verdict> {
  const args = [
    "verify",
    "-CAfile",
    join(dir, "ca.crt"),
    "-crl_check",
    "-CRLfile",
    join(dir, "ca.crl"),
    ...(purpose ? ["-purpose", purpose] : []),
    join(dir, cert),
  ];
  return new Promise((resolve) =>
    execFile("openssl", args, (err, stdout, stderr) => resolve({ ok: err === null, output: `${stdout}${stderr}` })),
  );
}

async function openssl(args: string[]): Promise<string> {
  return (await run("openssl", args)).stdout;
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

void describe("site PKI", () => {
  let dir: string;
  let pki: SitePki;
  before(async () => {
    dir = join(await mkdtemp(join(tmpdir(), "vigil-site-pki-")), "certs");
    pki = new SitePki(dir, "hq");
  });
  after(async () => {
    await rm(join(dir, ".."), { recursive: true, force: true });
  });

  void it("creates the CA once: key 0600, certificate with CA constraints, an empty CRL and the index", async () => {
    await expectVigilAsync(pki.issue({ kind: "camera", name: "lobby" }), ErrorCodes.PKI_FAILED);
    const ca = await pki.createCa();
    assert.deepEqual((await readdir(dir)).sort(), ["ca.crl", "ca.crt", "ca.key", "index.json"]);
    assert.equal(await mode(join(dir, "ca.key")), 0o600);
    assert.equal(await mode(join(dir, "ca.crt")), 0o644);
    const cert = new X509Certificate(await readFile(join(dir, "ca.crt")));
    assert.equal(cert.ca, true);
    assert.equal(cert.fingerprint256, ca.fingerprint_sha256);
    assert.equal(cert.serialNumber, ca.serial);
    assert.match(ca.serial, /^[4-7][0-9A-F]{31}$/, "128-bit positive serial");
    const text = await openssl(["x509", "-in", join(dir, "ca.crt"), "-noout", "-text"]);
    assert.match(text, /CA:TRUE, pathlen:0/);
    assert.match(text, /Certificate Sign, CRL Sign/);
    const crl = await openssl(["crl", "-in", join(dir, "ca.crl"), "-noout", "-text"]);
    assert.match(crl, /CRL Number: *\n *1\b/);
    assert.match(crl, /No Revoked Certificates/);
    await expectVigilAsync(pki.createCa(), ErrorCodes.ALREADY_EXISTS);
  });

  void it("issues server, gateway and camera certificates with the right names, usages and key modes", async () => {
    const server = await pki.issue({
      kind: "server",
      name: "server",
      dns: ["gw01.local"],
      ip: ["127.0.0.1"],
      days: 30,
    });
    const gateway = await pki.issue({ kind: "gateway", name: "gw-01" });
    const camera = await pki.issue({ kind: "camera", name: "lobby" });
    for (const issued of [server, gateway, camera]) {
      assert.equal(await mode(join(dir, issued.key_file)), 0o600, issued.key_file);
      const cert = new X509Certificate(await readFile(join(dir, issued.cert_file)));
      assert.equal(cert.fingerprint256, issued.fingerprint_sha256);
      assert.equal(cert.ca, false);
      assert.ok(cert.verify(new X509Certificate(await readFile(join(dir, "ca.crt"))).publicKey));
      assert.equal((await opensslVerify(dir, issued.cert_file)).ok, true, issued.name);
    }
    const serverCert = new X509Certificate(await readFile(join(dir, "server.crt")));
    assert.equal(serverCert.checkHost("gw01.local"), "gw01.local");
    assert.equal(serverCert.checkIP("127.0.0.1"), "127.0.0.1");
    assert.deepEqual(serverCert.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
    assert.equal((await opensslVerify(dir, "server.crt", "sslserver")).ok, true);
    assert.equal((await opensslVerify(dir, "lobby.crt", "sslclient")).ok, true);
    assert.equal((await opensslVerify(dir, "lobby.crt", "sslserver")).ok, false, "a camera certificate cannot serve");
    assert.equal(new X509Certificate(await readFile(join(dir, "lobby.crt"))).subject, "O=hq\nOU=camera\nCN=lobby");
    assert.equal(new X509Certificate(await readFile(join(dir, "gw-01.crt"))).subject, "O=hq\nOU=gateway\nCN=hq/gw-01");
    // The index and every public file are free of key material.
    for (const file of ["index.json", "ca.crt", "ca.crl", "lobby.crt"])
      assert.doesNotMatch(await readFile(join(dir, file), "utf8"), /PRIVATE KEY/);
    await expectVigilAsync(pki.issue({ kind: "camera", name: "lobby" }), ErrorCodes.ALREADY_EXISTS);
    await expectVigilAsync(pki.issue({ kind: "camera", name: "dock", days: 20_000 }), ErrorCodes.VALIDATION);
    await writeFile(join(dir, "stray.crt"), "not ours");
    await expectVigilAsync(pki.issue({ kind: "camera", name: "stray" }), ErrorCodes.ALREADY_EXISTS);
  });

  void it("revokes: openssl refuses the certificate with the new CRL, others still pass, and the name can be reissued", async () => {
    const before = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as { crl: { number: number } };
    const { certificate, crl } = await pki.revoke("lobby", "key_compromise");
    assert.equal(crl.number, before.crl.number + 1);
    assert.ok(certificate.revoked_at);
    const verdict = await opensslVerify(dir, "lobby.crt");
    assert.equal(verdict.ok, false);
    assert.match(verdict.output, /certificate revoked/);
    assert.equal((await opensslVerify(dir, "server.crt")).ok, true);
    const text = await openssl(["crl", "-in", join(dir, "ca.crl"), "-noout", "-text"]);
    assert.match(text, new RegExp(`Serial Number: ${certificate.serial}`));
    assert.match(text, /Key Compromise/);
    await expectVigilAsync(pki.revoke(certificate.serial), ErrorCodes.CONFLICT);
    await expectVigilAsync(pki.revoke("lobby"), ErrorCodes.CONFLICT);

    const reissued = await pki.issue({ kind: "camera", name: "lobby" });
    assert.notEqual(reissued.serial, certificate.serial);
    assert.equal(await mode(join(dir, "lobby.key")), 0o600);
    assert.equal((await opensslVerify(dir, "lobby.crt")).ok, true);
    const listing = await pki.list();
    assert.deepEqual(
      listing.certificates.filter((c) => c.name === "lobby").map((c) => c.status),
      ["revoked", "valid"],
    );
    assert.equal(
      listing.certificates.find((c) => c.name === "server")?.status,
      "expiring",
      "30 days is within the default warning",
    );
  });

  void it("serialises concurrent writers on the directory lock: nothing issued is lost", async () => {
    const names = ["cam-a", "cam-b", "cam-c", "cam-d"];
    await Promise.all(names.map((name) => pki.issue({ kind: "camera", name })));
    const listing = await pki.list();
    for (const name of names)
      assert.ok(
        listing.certificates.some((c) => c.name === name),
        name,
      );
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith(".tmp") || f === "index.lock"),
      [],
    );
  });

  void it("refuses to sign with a CA that is not the one in the index", async () => {
    const other = new SitePki(join(dir, "..", "other"), "hq");
    await other.createCa();
    await writeFile(join(dir, "ca.crt"), await readFile(join(dir, "..", "other", "ca.crt")));
    await expectVigilAsync(pki.issue({ kind: "camera", name: "garage" }), ErrorCodes.PKI_FAILED);
  });
});
