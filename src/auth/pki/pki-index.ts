import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { CERT_KINDS } from "./cert-profiles.js";
import { isHexSerial, normaliseFingerprint, normaliseSerial } from "./fingerprint.js";

/**
 * `index.json` in certs_dir: every certificate the site CA ever issued, the CA itself and the
 * current CRL. It is the CA's memory (what to put in the CRL, what `vigil cert list` shows); the
 * certificates and the CRL on disk are what TLS trusts. Pure: reading and writing live elsewhere.
 */

export const REVOCATION_REASONS = [
  "unspecified",
  "key_compromise",
  "affiliation_changed",
  "superseded",
  "cessation_of_operation",
  "privilege_withdrawn",
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** ISO 8601 UTC, as `Date.prototype.toISOString` writes it. */
const Iso = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$" });

const IssuedCertificateSchema = Type.Object({
  serial: Type.String(),
  kind: Type.Union(CERT_KINDS.map((k) => Type.Literal(k))),
  name: Type.String(),
  subject: Type.String(),
  fingerprint_sha256: Type.String(),
  not_before: Iso,
  not_after: Iso,
  issued_at: Iso,
  /** Relative to certs_dir, so the directory can move. */
  cert_file: Type.String(),
  key_file: Type.String(),
  dns: Type.Array(Type.String()),
  ip: Type.Array(Type.String()),
  revoked_at: Type.Optional(Iso),
  revocation_reason: Type.Optional(Type.Union(REVOCATION_REASONS.map((r) => Type.Literal(r)))),
});

const PkiIndexSchema = Type.Object({
  version: Type.Literal(1),
  site: Type.String(),
  ca: Type.Object({
    serial: Type.String(),
    subject: Type.String(),
    fingerprint_sha256: Type.String(),
    not_before: Iso,
    not_after: Iso,
    created_at: Iso,
    cert_file: Type.String(),
    key_file: Type.String(),
  }),
  crl: Type.Object({ number: Type.Integer({ minimum: 1 }), this_update: Iso, next_update: Iso, file: Type.String() }),
  certificates: Type.Array(IssuedCertificateSchema),
});

export type IssuedCertificate = Static<typeof IssuedCertificateSchema>;
export type PkiIndex = Static<typeof PkiIndexSchema>;

export function parseIndex(text: string, path: string): PkiIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VigilError(ErrorCodes.PKI_FAILED, `${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const first = Value.Errors(PkiIndexSchema, doc).First();
  if (first) throw new VigilError(ErrorCodes.PKI_FAILED, `${path}: ${first.path || "(root)"}: ${first.message}`);
  return doc as PkiIndex;
}

export type CertStatus = "valid" | "expiring" | "expired" | "revoked";

/** Whole days left (negative once expired) and the status `vigil cert list` shows. */
export function certificateStatus(
  cert: { not_after: string; revoked_at?: string | undefined },
  now: Date,
  warnDays: number,
): { status: CertStatus; days_left: number } {
  const msLeft = Date.parse(cert.not_after) - now.getTime();
  const days_left = Math.floor(msLeft / 86_400_000);
  if (cert.revoked_at !== undefined) return { status: "revoked", days_left };
  if (msLeft <= 0) return { status: "expired", days_left };
  return { status: msLeft <= warnDays * 86_400_000 ? "expiring" : "valid", days_left };
}

/** Neither revoked nor expired: what a new certificate of the same name must not replace. */
export function isActive(cert: IssuedCertificate, now: Date): boolean {
  return cert.revoked_at === undefined && Date.parse(cert.not_after) > now.getTime();
}

/**
 * `vigil cert revoke <serial|fingerprint|name>`: a selector may look like more than one of those
 * (`cafe` is a name and a serial), so every reading is tried and exactly one certificate must
 * come out; for a name, only certificates not yet revoked count.
 */
export function resolveSelector(index: PkiIndex, selector: string): IssuedCertificate {
  const found = new Set<IssuedCertificate>();
  const fingerprint = normaliseFingerprint(selector);
  if (fingerprint) for (const c of index.certificates) if (c.fingerprint_sha256 === fingerprint) found.add(c);
  if (isHexSerial(selector)) {
    const serial = normaliseSerial(selector);
    for (const c of index.certificates) if (normaliseSerial(c.serial) === serial) found.add(c);
  }
  for (const c of index.certificates) if (c.name === selector && c.revoked_at === undefined) found.add(c);
  const matches = [...found];
  const only = matches[0];
  if (matches.length === 0 || only === undefined) {
    const revokedByName = index.certificates.some((c) => c.name === selector);
    throw new VigilError(
      revokedByName ? ErrorCodes.CONFLICT : ErrorCodes.NOT_FOUND,
      revokedByName
        ? `every certificate named "${selector}" is already revoked`
        : `no certificate in the index matches "${selector}" (serial, SHA-256 fingerprint or name)`,
    );
  }
  if (matches.length > 1) {
    throw new VigilError(
      ErrorCodes.VALIDATION,
      `"${selector}" matches ${matches.length} certificates (${matches.map((c) => `${c.name} ${c.serial}`).join(", ")}); give the serial or fingerprint`,
      {
        details: { field: "selector" },
      },
    );
  }
  return only;
}

/** Serials of every revoked certificate, for the CRL, oldest first. */
export function revokedCertificates(index: PkiIndex): IssuedCertificate[] {
  return index.certificates
    .filter((c) => c.revoked_at !== undefined)
    .sort((a, b) => (a.revoked_at ?? "").localeCompare(b.revoked_at ?? ""));
}
