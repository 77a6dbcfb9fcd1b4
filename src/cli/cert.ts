import { dirname, resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { CERT_KINDS, type CertKind } from "../auth/pki/cert-profiles.js";
import { type IssuedCertificate, REVOCATION_REASONS, type RevocationReason } from "../auth/pki/pki-index.js";
import type { PkiListing, SitePki } from "../auth/pki/site-pki.js";
import { configPathFrom, loadConfig } from "../config/loader.js";
import type { VigilConfig } from "../config/schema.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { adminCall, type OfflineAdmin } from "./admin-client.js";
import { CONFIG_HELP, emit, fail } from "./output.js";

interface CommonOptions {
  config?: string;
  json?: boolean;
}

interface IssueOptions extends CommonOptions {
  kind: CertKind;
  name?: string;
  dns: string[];
  ip: string[];
  days?: number;
}

function positiveInt(value: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(value)) throw new InvalidArgumentError("expected a positive whole number");
  return Number(value);
}

const collect = (value: string, previous: string[]): string[] => [
  ...previous,
  ...value.split(",").filter((v) => v !== ""),
];

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

interface Box {
  config: Readonly<VigilConfig>;
  pki: SitePki;
}

// The X.509 library and the store take a quarter second each to load: only verbs that use them pay.
const openOfflineAdmin: OfflineAdmin = async (config) => (await import("./offline-admin.js")).openOfflineAdmin(config);

/** certs_dir is relative to the config file, like data_dir. */
async function openBox(opts: CommonOptions): Promise<Box> {
  const path = configPathFrom(opts.config, process.env);
  const config = await loadConfig(path);
  const { SitePki } = await import("../auth/pki/site-pki.js");
  return { config, pki: new SitePki(resolve(dirname(resolve(path)), config.certs_dir), config.site) };
}

/** Puts a change already made on disk into the audit trail; never any key material. */
async function audit(
  box: Box,
  offline: OfflineAdmin,
  action: string,
  serial: string,
  details: Record<string, unknown>,
  done: string,
): Promise<void> {
  try {
    await adminCall(box.config, offline, "audit.record", { action, target: `cert:${serial}`, result: "ok", details });
  } catch (err) {
    const code = isVigilError(err) ? err.code : ErrorCodes.INTERNAL;
    throw new VigilError(
      code,
      `${done}, but recording it in the audit trail failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

function certDetails(cert: IssuedCertificate): Record<string, unknown> {
  return {
    kind: cert.kind,
    name: cert.name,
    subject: cert.subject,
    fingerprint_sha256: cert.fingerprint_sha256,
    not_after: cert.not_after,
  };
}

function describeListing(listing: PkiListing, certsDir: string): string {
  const rows = listing.certificates.map((c) => [
    c.status.toUpperCase(),
    c.kind,
    c.name,
    c.serial,
    c.not_after.slice(0, 10),
    String(c.days_left),
    c.revoked_at ? `${c.revocation_reason ?? ""} ${c.revoked_at.slice(0, 10)}` : "",
  ]);
  return [
    `site CA   ${listing.ca.subject}  until ${listing.ca.not_after.slice(0, 10)} (${listing.ca.status}, ${listing.ca.days_left} days)  ${listing.ca.fingerprint_sha256}`,
    `CRL       number ${listing.crl.number}, next update ${listing.crl.next_update.slice(0, 10)} (${listing.crl.status}, ${listing.crl.days_left} days)`,
    `directory ${certsDir}`,
    "",
    rows.length === 0
      ? "no certificates issued"
      : table([["STATUS", "KIND", "NAME", "SERIAL", "NOT AFTER", "DAYS", "REVOKED"], ...rows]),
  ].join("\n");
}

async function verb(opts: CommonOptions, work: (json: boolean) => Promise<void>): Promise<void> {
  const json = opts.json === true;
  try {
    await work(json);
  } catch (err) {
    fail(err, json);
  }
}

/**
 * `vigil cert ca|issue|revoke|list|crl`: the site CA in certs_dir. Changes are made in files (as
 * the user running the verb: run it as the service user so the daemon can read what it writes)
 * and each is audited through the daemon's admin socket, or the store directly when no daemon
 * runs; `offline` is replaceable for tests.
 */
export function registerCertCommands(program: Command, offline: OfflineAdmin = openOfflineAdmin): void {
  const cert = program
    .command("cert")
    .description("the site CA in certs_dir: server, gateway and camera certificates, and the CRL");

  cert
    .command("ca")
    .description("create the site CA (ca.crt, ca.key, ca.crl, index.json); refuses if one exists")
    .option("--days <n>", "validity in days (default 3650)", positiveInt)
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((opts: CommonOptions & { days?: number }) =>
      verb(opts, async (json) => {
        const box = await openBox(opts);
        const ca = await box.pki.createCa(opts.days);
        await audit(
          box,
          offline,
          "cert.ca_created",
          ca.serial,
          { subject: ca.subject, fingerprint_sha256: ca.fingerprint_sha256, not_after: ca.not_after },
          "the site CA was created",
        );
        const files = { cert: box.pki.path(ca.cert_file), key: box.pki.path(ca.key_file) };
        emit(json, { ok: true, ca, files }, () =>
          [
            `created site CA ${ca.subject}, valid until ${ca.not_after}`,
            `certificate  ${files.cert}`,
            `private key  ${files.key} (mode 0600: keep it on this box, back it up offline)`,
            `sha256       ${ca.fingerprint_sha256}`,
          ].join("\n"),
        );
      }),
    );

  cert
    .command("issue")
    .description("issue a certificate and key signed by the site CA: <name>.crt and <name>.key in certs_dir")
    .addOption(
      new Option("--kind <kind>", "server (camera listener), gateway (MQTT uplink) or camera (push client)")
        .choices([...CERT_KINDS])
        .makeOptionMandatory(),
    )
    .option(
      "--name <name>",
      "file name and CN; a camera's is its id (default: server for server, the config's gateway for gateway)",
    )
    .option("--dns <name>", "a DNS name for the subjectAltName (repeatable or comma-separated)", collect, [])
    .option("--ip <address>", "an IP address for the subjectAltName (repeatable or comma-separated)", collect, [])
    .option("--days <n>", "validity in days (default 825)", positiveInt)
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((opts: IssueOptions) =>
      verb(opts, async (json) => {
        const box = await openBox(opts);
        const name =
          opts.name ?? (opts.kind === "server" ? "server" : opts.kind === "gateway" ? box.config.gateway : undefined);
        if (name === undefined)
          throw new VigilError(ErrorCodes.VALIDATION, "a camera certificate needs --name <camera id>", {
            details: { field: "name" },
          });
        const issued = await box.pki.issue({
          kind: opts.kind,
          name,
          dns: opts.dns,
          ip: opts.ip,
          ...(opts.days === undefined ? {} : { days: opts.days }),
        });
        await audit(
          box,
          offline,
          "cert.issued",
          issued.serial,
          certDetails(issued),
          `certificate ${issued.serial} was issued`,
        );
        const files = { cert: box.pki.path(issued.cert_file), key: box.pki.path(issued.key_file) };
        const unknownCamera = opts.kind === "camera" && !box.config.cameras.some((c) => c.id === name);
        emit(json, { ok: true, certificate: issued, files }, () =>
          [
            `issued ${issued.kind} certificate ${issued.subject}, serial ${issued.serial}, valid until ${issued.not_after}`,
            `certificate  ${files.cert}`,
            `private key  ${files.key} (mode 0600)`,
            `sha256       ${issued.fingerprint_sha256}`,
            ...(unknownCamera
              ? [`note: camera "${name}" is not in the config yet; the certificate binds to it once it is`]
              : []),
          ].join("\n"),
        );
      }),
    );

  cert
    .command("revoke")
    .description("revoke a certificate and rewrite the CRL; the daemon closes its open connections at the next reload")
    .argument("<certificate>", "its serial, SHA-256 fingerprint or name (as `vigil cert list` shows)")
    .addOption(
      new Option("--reason <reason>", "why, as recorded in the CRL")
        .choices([...REVOCATION_REASONS])
        .default("unspecified"),
    )
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((selector: string, opts: CommonOptions & { reason: RevocationReason }) =>
      verb(opts, async (json) => {
        const box = await openBox(opts);
        const { certificate, crl } = await box.pki.revoke(selector, opts.reason);
        await audit(
          box,
          offline,
          "cert.revoked",
          certificate.serial,
          { ...certDetails(certificate), reason: opts.reason, crl_number: crl.number },
          `certificate ${certificate.serial} was revoked`,
        );
        emit(
          json,
          { ok: true, certificate, crl },
          () =>
            `revoked ${certificate.kind} certificate ${certificate.name} (serial ${certificate.serial}); CRL number ${crl.number} written to ${box.pki.path(crl.file)}`,
        );
      }),
    );

  cert
    .command("list")
    .description("list the site CA, its CRL and every certificate issued, with expiry and status")
    .option("--expiring-days <n>", "flag what expires within this many days", positiveInt, 30)
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((opts: CommonOptions & { expiringDays: number }) =>
      verb(opts, async (json) => {
        const box = await openBox(opts);
        const listing = await box.pki.list(opts.expiringDays);
        emit(json, { ...listing, certs_dir: box.pki.certsDir }, () => describeListing(listing, box.pki.certsDir));
      }),
    );

  cert
    .command("crl")
    .description("re-sign the CRL (new number, next update a year out) with the same revocations")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((opts: CommonOptions) =>
      verb(opts, async (json) => {
        const box = await openBox(opts);
        const crl = await box.pki.refreshCrl();
        await audit(
          box,
          offline,
          "cert.crl_refreshed",
          "crl",
          { crl_number: crl.number, next_update: crl.next_update },
          `CRL number ${crl.number} was written`,
        );
        emit(
          json,
          { ok: true, crl },
          () => `CRL number ${crl.number} written to ${box.pki.path(crl.file)}, next update ${crl.next_update}`,
        );
      }),
    );
}
