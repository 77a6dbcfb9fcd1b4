import { randomBytes, type webcrypto } from "node:crypto";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { type DnAttribute, formatDistinguishedName } from "./distinguished-name.js";
import { normaliseSerial, sha256Fingerprint } from "./fingerprint.js";
import { type CertKind, extendedKeyUsageFor, type SubjectAltNames } from "./cert-profiles.js";
import { SIGNING_ALGORITHM } from "./key-material.js";
import { x509 } from "./x509.js";

/** Builds (signs) certificates; no file I/O. */

/**
 * 128 random bits as a positive serial of exactly 16 octets: the top bit is cleared (DER
 * integers are signed) and the next one set, so no encoder ever pads or trims it.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString("hex").toUpperCase();
}

/** What the index records about a certificate, in Vigil's canonical forms. */
export function certificateFacts(cert: x509.X509Certificate): {
  serial: string;
  subject: string;
  fingerprint_sha256: string;
  not_before: string;
  not_after: string;
} {
  const subject = cert.subjectName
    .toJSON()
    .flatMap((rdn) => Object.entries(rdn).flatMap(([type, values]) => values.map((value) => ({ type, value }))));
  return {
    serial: normaliseSerial(cert.serialNumber),
    subject: formatDistinguishedName(subject),
    fingerprint_sha256: sha256Fingerprint(new Uint8Array(cert.rawData)),
    not_before: cert.notBefore.toISOString(),
    not_after: cert.notAfter.toISOString(),
  };
}

export function toX509Name(dn: readonly DnAttribute[]): x509.Name {
  return new x509.Name(dn.map((a) => ({ [a.type]: [a.value] })));
}

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export async function buildCaCertificate(
  keys: webcrypto.CryptoKeyPair,
  subject: readonly DnAttribute[],
  validity: Validity,
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: toX509Name(subject),
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      // pathLen 0: the site CA signs leaves only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
}

export interface LeafRequest {
  readonly kind: CertKind;
  readonly subject: readonly DnAttribute[];
  readonly sans: SubjectAltNames;
  readonly validity: Validity;
  readonly publicKey: webcrypto.CryptoKey;
}

export interface SigningCa {
  readonly cert: x509.X509Certificate;
  readonly key: webcrypto.CryptoKey;
  readonly algorithm: { name: string; hash: string };
}

/** Points at the CA's own subject key identifier, so chain builders pick the right issuer key. */
export function authorityKeyIdentifier(caCert: x509.X509Certificate): x509.AuthorityKeyIdentifierExtension {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!ski) throw new VigilError(ErrorCodes.PKI_FAILED, "the site CA certificate has no subject key identifier");
  return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
}

export async function buildLeafCertificate(ca: SigningCa, request: LeafRequest): Promise<x509.X509Certificate> {
  const names = [
    ...request.sans.dns.map((value) => ({ type: "dns" as const, value })),
    ...request.sans.ip.map((value) => ({ type: "ip" as const, value })),
  ];
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: toX509Name(request.subject),
    issuer: ca.cert.subjectName,
    notBefore: request.validity.notBefore,
    notAfter: request.validity.notAfter,
    publicKey: request.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ca.algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(extendedKeyUsageFor(request.kind), false),
      await x509.SubjectKeyIdentifierExtension.create(request.publicKey),
      authorityKeyIdentifier(ca.cert),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
    ],
  });
}
