import { createHash, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { normaliseSerial } from "../pki/fingerprint.js";
import { x509 } from "../pki/x509.js";
import { MIN_TLS_VERSION, TLS_CIPHERS } from "./tls-policy.js";

/** Absolute paths of the camera listener's files (`http.camera_tls.*` under certs_dir). */
export interface TrustFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly crl: string;
}

/** The files' bytes as read in one pass; the CRL is optional (none: nothing revoked). */
export interface TrustFileBytes {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
  readonly crl: Buffer | undefined;
}

/** Everything the listener trusts, parsed and checked, with a digest to spot changes. */
export interface TrustMaterial {
  readonly files: TrustFileBytes;
  readonly digest: string;
  readonly authorities: readonly X509Certificate[];
  /** Normalised serials (upper-case hex, no leading zeros). */
  readonly revoked: ReadonlySet<string>;
  readonly crlNextUpdate: Date | undefined;
  readonly serverNotAfter: Date;
}

const CONFIG_KEYS: Readonly<Record<keyof TrustFiles, string>> = {
  cert: "http.camera_tls.cert",
  key: "http.camera_tls.key",
  ca: "http.camera_tls.ca",
  crl: "http.camera_tls.crl",
};

function configError(which: keyof TrustFiles, path: string, problem: string, cause?: unknown): VigilError {
  return new VigilError(ErrorCodes.CONFIG_INVALID, `${CONFIG_KEYS[which]}: ${path} ${problem}`, {
    cause,
    details: { path: CONFIG_KEYS[which], file: path },
  });
}

async function readRequired(which: keyof TrustFiles, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const hint =
      which === "ca"
        ? ' (create the site CA with "vigil cert ca")'
        : which === "crl"
          ? ""
          : ' (issue it with "vigil cert issue --kind server")';
    throw configError(
      which,
      path,
      `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}${hint}`,
      err,
    );
  }
}

export async function readTrustFiles(files: TrustFiles): Promise<TrustFileBytes> {
  const [cert, key, ca] = await Promise.all([
    readRequired("cert", files.cert),
    readRequired("key", files.key),
    readRequired("ca", files.ca),
  ]);
  let crl: Buffer | undefined;
  try {
    crl = await readFile(files.crl);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      throw configError("crl", files.crl, `cannot be read: ${(err as Error).message}`, err);
  }
  return { cert, key, ca, crl };
}

export function trustDigest(bytes: TrustFileBytes): string {
  const hash = createHash("sha256");
  for (const part of [bytes.cert, bytes.key, bytes.ca, bytes.crl ?? Buffer.alloc(0)])
    hash.update(`${part.length}:`).update(part);
  return hash.digest("hex");
}

function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The options shared by the server's first secure context and every reload's. */
export function secureContextOptions(bytes: TrustFileBytes): SecureContextOptions {
  return {
    key: bytes.key,
    cert: bytes.cert,
    ca: bytes.ca,
    ...(bytes.crl ? { crl: bytes.crl } : {}),
    minVersion: MIN_TLS_VERSION,
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
  };
}

/** Parses and cross-checks the files; every problem is a config error naming the file. */
export async function parseTrustMaterial(files: TrustFiles, bytes: TrustFileBytes): Promise<TrustMaterial> {
  const caPems = pemCertificates(bytes.ca.toString("utf8"));
  if (caPems.length === 0) throw configError("ca", files.ca, "holds no PEM certificate");
  let authorities: X509Certificate[];
  try {
    authorities = caPems.map((pem) => new X509Certificate(pem));
  } catch (err) {
    throw configError("ca", files.ca, `is not a readable certificate: ${(err as Error).message}`, err);
  }
  let serverNotAfter: Date;
  try {
    serverNotAfter = new Date(new X509Certificate(bytes.cert).validTo);
  } catch (err) {
    throw configError("cert", files.cert, `is not a readable certificate: ${(err as Error).message}`, err);
  }
  try {
    createSecureContext(secureContextOptions(bytes));
  } catch (err) {
    throw configError(
      "key",
      files.key,
      `does not fit ${files.cert}, or one of the files is unusable: ${(err as Error).message}`,
      err,
    );
  }
  const revoked = new Set<string>();
  let crlNextUpdate: Date | undefined;
  if (bytes.crl) {
    let crl: x509.X509Crl;
    try {
      crl = new x509.X509Crl(bytes.crl.toString("utf8"));
    } catch (err) {
      throw configError("crl", files.crl, `is not a readable CRL: ${(err as Error).message}`, err);
    }
    // OpenSSL would refuse every client certificate over a CRL from another CA; say so up front.
    const signers = await Promise.all(
      caPems.map((pem) => crl.verify({ publicKey: new x509.X509Certificate(pem) }).catch(() => false)),
    );
    if (!signers.includes(true)) throw configError("crl", files.crl, `is not signed by the CA in ${files.ca}`);
    for (const entry of crl.entries) revoked.add(normaliseSerial(entry.serialNumber));
    crlNextUpdate = crl.nextUpdate;
  }
  return { files: bytes, digest: trustDigest(bytes), authorities, revoked, crlNextUpdate, serverNotAfter };
}
