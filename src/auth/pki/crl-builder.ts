import { authorityKeyIdentifier, type SigningCa } from "./certificate-builder.js";
import type { RevocationReason } from "./pki-index.js";
import { x509 } from "./x509.js";

/** Builds (signs) the site CA's CRL; no file I/O. */

/**
 * How long a CRL stays valid. OpenSSL refuses every client certificate once the CRL it was given
 * is past nextUpdate, and nothing renews it but a `vigil cert` write, so it is long: a year.
 */
export const CRL_VALIDITY_DAYS = 365;

const CRL_NUMBER_OID = "2.5.29.20";

const REASON_CODES: Readonly<Record<RevocationReason, x509.X509CrlReason | undefined>> = {
  // RFC 5280: the reason code extension is left out rather than written as unspecified.
  unspecified: undefined,
  key_compromise: x509.X509CrlReason.keyCompromise,
  affiliation_changed: x509.X509CrlReason.affiliationChanged,
  superseded: x509.X509CrlReason.superseded,
  cessation_of_operation: x509.X509CrlReason.cessationOfOperation,
  privilege_withdrawn: x509.X509CrlReason.privilegeWithdrawn,
};

/** A DER INTEGER for a non-negative number: minimal big-endian bytes, a 00 in front when the top bit is set. */
export function derInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative integer: ${value}`);
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return Uint8Array.from([0x02, bytes.length, ...bytes]);
}

export interface RevokedEntry {
  readonly serial: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
}

export interface CrlRequest {
  readonly number: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly RevokedEntry[];
}

/** The CRL as PEM (`-----BEGIN X509 CRL-----`), signed by the CA, with a CRL number and the CA's key identifier (RFC 5280 profile). */
export async function buildCrl(ca: SigningCa, request: CrlRequest): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subjectName,
    thisUpdate: request.thisUpdate,
    nextUpdate: request.nextUpdate,
    signingAlgorithm: ca.algorithm,
    signingKey: ca.key,
    extensions: [
      authorityKeyIdentifier(ca.cert),
      new x509.Extension(CRL_NUMBER_OID, false, derInteger(request.number)),
    ],
    entries: request.entries.map((e) => {
      const reason = REASON_CODES[e.reason];
      return { serialNumber: e.serial, revocationDate: e.revokedAt, ...(reason === undefined ? {} : { reason }) };
    }),
  });
  // OpenSSL (and so Node's TLS) reads only the "X509 CRL" label, not the library's "CRL".
  return `${x509.PemConverter.encode(crl.rawData, "X509 CRL")}\n`;
}
