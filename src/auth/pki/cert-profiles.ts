import { isIP } from "node:net";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { DnAttribute } from "./distinguished-name.js";

/**
 * What each kind of certificate the site CA issues looks like: its subject, its extended key
 * usage and its file names. Pure: the CLI, the issuer and the tests share these rules.
 */

export const CERT_KINDS = ["server", "gateway", "camera"] as const;
export type CertKind = (typeof CERT_KINDS)[number];

/** Files of the site PKI, relative to certs_dir. Issued certificates are `<name>.crt` / `<name>.key`. */
export const PKI_FILES = {
  caCert: "ca.crt",
  caKey: "ca.key",
  crl: "ca.crl",
  index: "index.json",
  lock: "index.lock",
} as const;

/** The OU that marks a camera certificate; the default camera binding requires it. */
export const CAMERA_OU = "camera";

export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_LEAF_DAYS = 825;
/** notBefore is set this far back so a camera whose clock runs a little slow accepts it at once. */
export const BACKDATE_MS = 5 * 60_000;

const FILE_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const CAMERA_ID = /^[a-z0-9_-]{1,64}$/;
const DNS_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const RESERVED = new Set(["ca", "index"]);

export interface SubjectAltNames {
  readonly dns: readonly string[];
  readonly ip: readonly string[];
}

function invalid(message: string, field: string): VigilError {
  return new VigilError(ErrorCodes.VALIDATION, message, { details: { field } });
}

export function isCertKind(value: string): value is CertKind {
  return (CERT_KINDS as readonly string[]).includes(value);
}

/** A name becomes file names in certs_dir, so it is a plain lower-case token; a camera's is its id. */
export function validateCertName(kind: CertKind, name: string): void {
  if (kind === "camera" && !CAMERA_ID.test(name)) {
    throw invalid(
      `camera certificate name "${name}" must be the camera id (lower-case letters, digits, _ and -, at most 64)`,
      "name",
    );
  }
  if (!FILE_NAME.test(name))
    throw invalid(
      `certificate name "${name}" must be lower-case letters, digits, _ . and -, at most 64, starting with a letter or digit`,
      "name",
    );
  if (RESERVED.has(name)) throw invalid(`"${name}" is reserved for the site CA's own files`, "name");
}

export function validateSubjectAltNames(kind: CertKind, sans: SubjectAltNames): void {
  for (const dns of sans.dns) if (!DNS_NAME.test(dns)) throw invalid(`"${dns}" is not a DNS name`, "dns");
  for (const ip of sans.ip) if (isIP(ip) === 0) throw invalid(`"${ip}" is not an IP address`, "ip");
  // Clients check the host they dialled against the SANs; a server certificate without any is useless.
  if (kind === "server" && sans.dns.length + sans.ip.length === 0) {
    throw invalid("a server certificate needs at least one --dns or --ip: the names cameras connect to", "dns");
  }
}

/**
 * Subjects in the usual ASN.1 order (O, OU, CN). A gateway's CN is `<site>/<gateway>`, the
 * middle of its topic base `vigil/<site>/<gateway>`, so broker ACLs can use the identity as-is
 * (mosquitto: `use_identity_as_username` with `pattern write vigil/%u/#`).
 */
export function subjectFor(kind: CertKind, name: string, site: string): DnAttribute[] {
  const cn = kind === "gateway" ? `${site}/${name}` : name;
  return [
    { type: "O", value: site },
    { type: "OU", value: kind },
    { type: "CN", value: cn },
  ];
}

export function caSubject(site: string): DnAttribute[] {
  return [
    { type: "O", value: site },
    { type: "OU", value: "ca" },
    { type: "CN", value: `Vigil site CA ${site}` },
  ];
}

/** Extended key usage OIDs: servers authenticate as TLS servers, gateways and cameras as clients. */
export function extendedKeyUsageFor(kind: CertKind): string[] {
  const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  return kind === "server" ? [SERVER_AUTH] : [CLIENT_AUTH];
}

export function certFiles(name: string): { cert: string; key: string } {
  return { cert: `${name}.crt`, key: `${name}.key` };
}

/** Validity from a little before `now` for `days`; a leaf may not outlive the CA that signs it. */
export function validityPeriod(now: Date, days: number, caNotAfter?: Date): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(days) || days < 1 || days > 36_500)
    throw invalid(`--days must be a whole number from 1 to 36500, not ${days}`, "days");
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + days * 86_400_000);
  if (caNotAfter && notAfter > caNotAfter) {
    throw invalid(
      `the certificate would outlive the site CA (valid until ${caNotAfter.toISOString()}); use fewer --days`,
      "days",
    );
  }
  return { notBefore, notAfter };
}
