import { join } from "node:path";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { buildCaCertificate, buildLeafCertificate, certificateFacts, type SigningCa } from "./certificate-builder.js";
import {
  caSubject,
  type CertKind,
  certFiles,
  DEFAULT_CA_DAYS,
  DEFAULT_LEAF_DAYS,
  PKI_FILES,
  subjectFor,
  validateCertName,
  validateSubjectAltNames,
  validityPeriod,
} from "./cert-profiles.js";
import { buildCrl, CRL_VALIDITY_DAYS } from "./crl-builder.js";
import { sha256Fingerprint } from "./fingerprint.js";
import { generateKeyPair, importSigningKey, privateKeyPem, SIGNING_ALGORITHM } from "./key-material.js";
import {
  certificateStatus,
  type CertStatus,
  type IssuedCertificate,
  isActive,
  parseIndex,
  type PkiIndex,
  type RevocationReason,
  resolveSelector,
  revokedCertificates,
} from "./pki-index.js";
import {
  ensureDirectory,
  KEY_FILE_MODE,
  PUBLIC_FILE_MODE,
  readTextIfExists,
  withLockFile,
  writeFileAtomic,
} from "./pki-files.js";
import { x509 } from "./x509.js";
import { pathExists } from "../../core/fs-exists.js";

export interface IssueRequest {
  readonly kind: CertKind;
  readonly name: string;
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
  readonly days?: number;
}

type Dated<T> = T & { status: CertStatus; days_left: number };
export interface PkiListing {
  ca: Dated<PkiIndex["ca"]>;
  crl: Dated<PkiIndex["crl"]>;
  certificates: Dated<IssuedCertificate>[];
}

/**
 * The site CA in certs_dir: creates it, issues and revokes certificates, keeps index.json and the
 * CRL current. Every write holds the directory's lock and replaces files atomically, so the
 * daemon polling these files never sees a half-written one. No I/O in the constructor.
 */
export class SitePki {
  constructor(
    readonly certsDir: string,
    private readonly site: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  path(file: string): string {
    return join(this.certsDir, file);
  }

  async createCa(days = DEFAULT_CA_DAYS): Promise<PkiIndex["ca"]> {
    await ensureDirectory(this.certsDir);
    return withLockFile(this.path(PKI_FILES.lock), async () => {
      for (const file of [PKI_FILES.caCert, PKI_FILES.caKey, PKI_FILES.index]) {
        if (await pathExists(this.path(file))) {
          throw new VigilError(
            ErrorCodes.ALREADY_EXISTS,
            `${this.path(file)} exists: this box already has a site CA, and a new one would orphan every certificate it issued`,
          );
        }
      }
      const now = this.clock();
      const keys = await generateKeyPair();
      const cert = await buildCaCertificate(keys, caSubject(this.site), validityPeriod(now, days));
      await writeFileAtomic(this.path(PKI_FILES.caKey), await privateKeyPem(keys.privateKey), KEY_FILE_MODE);
      await writeFileAtomic(this.path(PKI_FILES.caCert), cert.toString("pem"), PUBLIC_FILE_MODE);
      const ca = {
        ...certificateFacts(cert),
        created_at: now.toISOString(),
        cert_file: PKI_FILES.caCert,
        key_file: PKI_FILES.caKey,
      };
      const index: PkiIndex = {
        version: 1,
        site: this.site,
        ca,
        crl: { number: 0, this_update: ca.created_at, next_update: ca.created_at, file: PKI_FILES.crl },
        certificates: [],
      };
      await this.writeCrlAndIndex(index, { cert, key: keys.privateKey, algorithm: SIGNING_ALGORITHM }, now);
      return ca;
    });
  }

  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    const sans = { dns: request.dns ?? [], ip: request.ip ?? [] };
    validateCertName(request.kind, request.name);
    validateSubjectAltNames(request.kind, sans);
    return this.locked(async (index, ca, now) => {
      const files = certFiles(request.name);
      const active = index.certificates.find((c) => c.name === request.name && isActive(c, now));
      if (active)
        throw new VigilError(
          ErrorCodes.ALREADY_EXISTS,
          `certificate "${request.name}" (serial ${active.serial}) is still valid: revoke it first, or choose another name`,
        );
      const known = index.certificates.some((c) => c.name === request.name);
      for (const file of [files.cert, files.key]) {
        // Files of a revoked or expired certificate may be replaced; files the index does not know are not ours.
        if (!known && (await pathExists(this.path(file))))
          throw new VigilError(
            ErrorCodes.ALREADY_EXISTS,
            `${this.path(file)} exists and is not in ${PKI_FILES.index}; move it away or choose another name`,
          );
      }
      const validity = validityPeriod(now, request.days ?? DEFAULT_LEAF_DAYS, ca.cert.notAfter);
      const keys = await generateKeyPair();
      const subject = subjectFor(request.kind, request.name, this.site);
      const cert = await buildLeafCertificate(ca, {
        kind: request.kind,
        subject,
        sans,
        validity,
        publicKey: keys.publicKey,
      });
      await writeFileAtomic(this.path(files.key), await privateKeyPem(keys.privateKey), KEY_FILE_MODE);
      await writeFileAtomic(this.path(files.cert), cert.toString("pem"), PUBLIC_FILE_MODE);
      const record: IssuedCertificate = {
        ...certificateFacts(cert),
        kind: request.kind,
        name: request.name,
        issued_at: now.toISOString(),
        cert_file: files.cert,
        key_file: files.key,
        dns: [...sans.dns],
        ip: [...sans.ip],
      };
      index.certificates.push(record);
      await this.writeCrlAndIndex(index, ca, now);
      return record;
    });
  }

  async revoke(
    selector: string,
    reason: RevocationReason = "unspecified",
  ): Promise<{ certificate: IssuedCertificate; crl: PkiIndex["crl"] }> {
    return this.locked(async (index, ca, now) => {
      const cert = resolveSelector(index, selector);
      if (cert.revoked_at !== undefined)
        throw new VigilError(
          ErrorCodes.CONFLICT,
          `certificate ${cert.serial} (${cert.name}) was already revoked at ${cert.revoked_at}`,
        );
      cert.revoked_at = now.toISOString();
      cert.revocation_reason = reason;
      await this.writeCrlAndIndex(index, ca, now);
      return { certificate: cert, crl: index.crl };
    });
  }

  /** A fresh CRL (new number, nextUpdate a year out) with the same revocations. */
  async refreshCrl(): Promise<PkiIndex["crl"]> {
    return this.locked(async (index, ca, now) => {
      await this.writeCrlAndIndex(index, ca, now);
      return index.crl;
    });
  }

  async list(warnDays = 30): Promise<PkiListing> {
    const index = await this.readIndex();
    const now = this.clock();
    const dated = <T extends { not_after: string; revoked_at?: string | undefined }>(x: T): Dated<T> => ({
      ...x,
      ...certificateStatus(x, now, warnDays),
    });
    return {
      ca: dated(index.ca),
      crl: { ...index.crl, ...certificateStatus({ not_after: index.crl.next_update }, now, warnDays) },
      certificates: index.certificates.map(dated),
    };
  }

  async readIndex(): Promise<PkiIndex> {
    const text = await readTextIfExists(this.path(PKI_FILES.index));
    if (text === undefined)
      throw new VigilError(
        ErrorCodes.PKI_FAILED,
        `no site CA in ${this.certsDir} (${PKI_FILES.index} is missing): run "vigil cert ca" first`,
      );
    return parseIndex(text, this.path(PKI_FILES.index));
  }

  private async locked<T>(work: (index: PkiIndex, ca: SigningCa, now: Date) => Promise<T>): Promise<T> {
    await this.readIndex(); // no CA yet: say so, rather than fail to create the lock in a missing directory
    return withLockFile(this.path(PKI_FILES.lock), async () => {
      const index = await this.readIndex();
      return work(index, await this.loadCa(index), this.clock());
    });
  }

  private async loadCa(index: PkiIndex): Promise<SigningCa> {
    const certPath = this.path(index.ca.cert_file);
    const keyPath = this.path(index.ca.key_file);
    const [certPem, keyPem] = await Promise.all([readTextIfExists(certPath), readTextIfExists(keyPath)]);
    if (certPem === undefined || keyPem === undefined)
      throw new VigilError(
        ErrorCodes.PKI_FAILED,
        `the site CA's ${certPem === undefined ? certPath : keyPath} is missing`,
      );
    const cert = new x509.X509Certificate(certPem);
    if (sha256Fingerprint(new Uint8Array(cert.rawData)) !== index.ca.fingerprint_sha256) {
      throw new VigilError(
        ErrorCodes.PKI_FAILED,
        `${certPath} is not the CA recorded in ${PKI_FILES.index} (fingerprint differs)`,
      );
    }
    const { key, algorithm } = await importSigningKey(keyPem, keyPath);
    return { cert, key, algorithm };
  }

  /** The CRL goes first: if the index write fails, the revocation is already in force. */
  private async writeCrlAndIndex(index: PkiIndex, ca: SigningCa, now: Date): Promise<void> {
    const nextUpdate = new Date(now.getTime() + CRL_VALIDITY_DAYS * 86_400_000);
    const entries = revokedCertificates(index).map((c) => ({
      serial: c.serial,
      revokedAt: new Date(c.revoked_at ?? now),
      reason: c.revocation_reason ?? "unspecified",
    }));
    const number = index.crl.number + 1;
    await writeFileAtomic(
      this.path(index.crl.file),
      await buildCrl(ca, { number, thisUpdate: now, nextUpdate, entries }),
      PUBLIC_FILE_MODE,
    );
    index.crl = { number, this_update: now.toISOString(), next_update: nextUpdate.toISOString(), file: index.crl.file };
    await writeFileAtomic(this.path(PKI_FILES.index), `${JSON.stringify(index, null, 2)}\n`, PUBLIC_FILE_MODE);
  }
}
