import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestPki {
  readonly dir: string;
  readonly ca: string;
  readonly server: { cert: string; key: string };
  readonly client: { cert: string; key: string };
  /** A client certificate from a CA the broker does not trust. */
  readonly rogue: { cert: string; key: string };
  cleanup(): Promise<void>;
}

async function issue(
  dir: string,
  name: string,
  subject: string,
  caCert: string,
  caKey: string,
  ext: string,
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, ext);
  await run("openssl", [
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    key,
    "-out",
    csr,
    "-subj",
    subject,
  ]);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caCert,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-out",
    cert,
    "-days",
    "2",
    "-extfile",
    extFile,
  ]);
  return { cert, key };
}

async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
  ]);
  return { cert, key };
}

/**
 * A throwaway PKI made with Debian's openssl for TLS tests on loopback: a CA, a broker
 * certificate for 127.0.0.1, a gateway client certificate, and one from an untrusted CA.
 */
export async function makeTestPki(clientCn: string): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-pki-"));
  const ca = await makeCa(dir, "test-ca");
  const server = await issue(
    dir,
    "broker",
    "/CN=127.0.0.1",
    ca.cert,
    ca.key,
    "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  const client = await issue(dir, "gateway", `/CN=${clientCn}`, ca.cert, ca.key, "extendedKeyUsage=clientAuth\n");
  const rogueCa = await makeCa(dir, "rogue-ca");
  const rogue = await issue(
    dir,
    "rogue",
    `/CN=${clientCn}`,
    rogueCa.cert,
    rogueCa.key,
    "extendedKeyUsage=clientAuth\n",
  );
  return { dir, ca: ca.cert, server, client, rogue, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
