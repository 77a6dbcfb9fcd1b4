import type { CertKind } from "./cert-profiles.js";
import type { PkiIndex } from "./pki-index.js";

/**
 * Which certificates the box relies on are about to expire, and which of them to alert on now.
 * Pure: the monitor reads the files and keeps the clock and the memory of what it alerted.
 */

const DAY_MS = 86_400_000;
/** An item still due is alerted again once this long has passed since its last alert. */
export const ALERT_REPEAT_MS = DAY_MS;

/** The site CA, its CRL, a certificate it issued, or a certificate configured from elsewhere. */
export type WatchedKind = "ca" | "crl" | CertKind | "operator_https" | "mqtt_client";

export interface WatchedCertificate {
  /** Stable within its kind: the index name, `ca`, `crl`, or the config key of a file. */
  readonly name: string;
  readonly kind: WatchedKind;
  /** How health and logs name it: "certificate lobby", "site CA". */
  readonly label: string;
  readonly serial?: string | undefined;
  /** SHA-256, as Vigil writes it; lets a configured file that is also in the index be watched once. */
  readonly fingerprint?: string | undefined;
  /** ISO 8601; for the CRL, its nextUpdate (OpenSSL refuses every client certificate after it). */
  readonly not_after: string;
}

export type ExpiryStatus = "valid" | "expiring" | "expired";

export interface CertificateExpiry extends WatchedCertificate {
  /** Whole days left, rounded down; negative once expired. */
  readonly days_left: number;
  readonly status: ExpiryStatus;
}

export type ExpiryAlertType = "security.cert_expiring" | "security.cert_expired";

export interface ExpiryAlert {
  readonly type: ExpiryAlertType;
  /** What the de-duplication remembers: the item, its version and its status. */
  readonly key: string;
  readonly data: {
    name: string;
    kind: WatchedKind;
    serial?: string;
    not_after: string;
    days_left: number;
    threshold_days: number;
  };
}

/**
 * The site PKI's side: the CA, the CRL's next update, and every certificate not revoked. Of the
 * certificates sharing a name only the newest counts, and only if it is not revoked: an expired
 * one that was issued again is history, not a problem (the CA refuses a second while one is
 * still valid, so every older one is expired or revoked).
 */
export function watchedFromIndex(index: PkiIndex): WatchedCertificate[] {
  const newest = new Map<string, PkiIndex["certificates"][number]>();
  for (const c of index.certificates) {
    const seen = newest.get(c.name);
    if (seen === undefined || c.issued_at >= seen.issued_at) newest.set(c.name, c);
  }
  const current = [...newest.values()].filter((c) => c.revoked_at === undefined);
  return [
    {
      name: "ca",
      kind: "ca",
      label: "site CA",
      serial: index.ca.serial,
      fingerprint: index.ca.fingerprint_sha256,
      not_after: index.ca.not_after,
    },
    { name: "crl", kind: "crl", label: "site CRL", not_after: index.crl.next_update },
    ...current.map((c) => ({
      name: c.name,
      kind: c.kind,
      label: `certificate ${c.name}`,
      serial: c.serial,
      fingerprint: c.fingerprint_sha256,
      not_after: c.not_after,
    })),
  ];
}

/** The first of each fingerprint: a configured file that is an index certificate is not watched twice. */
export function withoutDuplicates(items: readonly WatchedCertificate[]): WatchedCertificate[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (item.fingerprint === undefined) return true;
    if (seen.has(item.fingerprint)) return false;
    seen.add(item.fingerprint);
    return true;
  });
}

export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
}

/** Expiring: within `thresholdDays` of not_after (inclusive); expired: at or past it. */
export function assessExpiry(
  items: readonly WatchedCertificate[],
  now: Date,
  thresholdDays: number,
): CertificateExpiry[] {
  return items.map((item) => {
    const msLeft = Date.parse(item.not_after) - now.getTime();
    const status: ExpiryStatus = msLeft <= 0 ? "expired" : msLeft <= thresholdDays * DAY_MS ? "expiring" : "valid";
    return { ...item, days_left: daysLeft(item.not_after, now), status };
  });
}

/** The health document's line for an item that is due, e.g. "certificate lobby expires in 12 days". */
export function expiryReason(item: CertificateExpiry): string {
  if (item.status === "expired") return `${item.label} expired on ${item.not_after.slice(0, 10)}`;
  if (item.days_left < 1) return `${item.label} expires within a day`;
  return `${item.label} expires in ${item.days_left} ${item.days_left === 1 ? "day" : "days"}`;
}

export function isDue(item: CertificateExpiry): boolean {
  return item.status !== "valid";
}

/**
 * A renewed certificate has a new serial and so a new key; expiring then expired are two facts,
 * each worth its own alert.
 */
function alertKey(item: CertificateExpiry): string {
  return [item.kind, item.name, item.serial ?? item.not_after, item.status].join("|");
}

/** What to send now: every due item not alerted in the last day. `alerted` maps keys to the time of their last alert. */
export function selectAlerts(
  items: readonly CertificateExpiry[],
  alerted: ReadonlyMap<string, number>,
  nowMs: number,
  thresholdDays: number,
): ExpiryAlert[] {
  return items.filter(isDue).flatMap((item) => {
    const key = alertKey(item);
    const last = alerted.get(key);
    if (last !== undefined && nowMs - last < ALERT_REPEAT_MS) return [];
    const type: ExpiryAlertType = item.status === "expired" ? "security.cert_expired" : "security.cert_expiring";
    const data = {
      name: item.name,
      kind: item.kind,
      ...(item.serial === undefined ? {} : { serial: item.serial }),
      not_after: item.not_after,
      days_left: item.days_left,
      threshold_days: thresholdDays,
    };
    return [{ type, key, data }];
  });
}

/** The memory without items no longer due (renewed, revoked, removed), so it stays as small as the problem. */
export function forgetResolved(
  alerted: ReadonlyMap<string, number>,
  items: readonly CertificateExpiry[],
): Map<string, number> {
  const due = new Set(items.filter(isDue).map(alertKey));
  return new Map([...alerted].filter(([key]) => due.has(key)));
}
