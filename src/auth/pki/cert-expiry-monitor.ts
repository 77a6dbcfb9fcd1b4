import { PeriodicTask } from "../../core/periodic-task.js";
import { X509Certificate } from "node:crypto";
import { isAbsolute, join } from "node:path";
import type { VigilConfig } from "../../config/schema.js";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import type { AlertSink } from "../security-monitor.js";
import {
  assessExpiry,
  type CertificateExpiry,
  expiryReason,
  type ExpiryStatus,
  forgetResolved,
  isDue,
  selectAlerts,
  type WatchedCertificate,
  type WatchedKind,
  watchedFromIndex,
  withoutDuplicates,
} from "./cert-expiry.js";
import { PKI_FILES } from "./cert-profiles.js";
import { parseIndex } from "./pki-index.js";
import { readTextIfExists } from "./pki-files.js";

export const DEFAULT_CERT_CHECK_INTERVAL_MS = 6 * 3_600_000;

/** A certificate the box presents that the site CA may not have issued, by absolute path. */
export interface WatchedFile {
  readonly name: string;
  readonly kind: Extract<WatchedKind, "operator_https" | "mqtt_client">;
  readonly label: string;
  readonly path: string;
}

export interface CertExpiryMonitorOptions {
  /** Absolute certs_dir: the site CA's index.json is read there, never written. */
  readonly certsDir: string;
  /** `auth.alerts.cert_expiry_days`. */
  readonly thresholdDays: number;
  /** Where `security.cert_expiring` / `security.cert_expired` go (the outbox's alerts stream). */
  readonly alert: AlertSink;
  readonly log: Logger;
  /** The operator HTTPS and MQTT client certificates, when configured: see `watchedFilesFrom`. */
  readonly files?: readonly WatchedFile[];
  readonly intervalMs?: number;
  readonly now?: () => Date;
}

export interface CertificateHealth {
  readonly name: string;
  readonly kind: WatchedKind;
  readonly not_after: string;
  readonly days_left: number;
  readonly status: ExpiryStatus;
}

/**
 * The configured certificates outside certs_dir's index. The loader already made them absolute
 * (relative names live in certs_dir); the join only serves configs built without the loader.
 */
export function watchedFilesFrom(config: Readonly<VigilConfig>): WatchedFile[] {
  const files: WatchedFile[] = [];
  const https = config.http.tls?.cert;
  if (https !== undefined)
    files.push({
      name: "http.tls.cert",
      kind: "operator_https",
      label: "operator HTTPS certificate (http.tls.cert)",
      path: isAbsolute(https) ? https : join(config.certs_dir, https),
    });
  const mqtt = config.mqtt.tls?.cert;
  if (mqtt !== undefined && mqtt !== "")
    files.push({
      name: "mqtt.tls.cert",
      kind: "mqtt_client",
      label: "MQTT client certificate (mqtt.tls.cert)",
      path: isAbsolute(mqtt) ? mqtt : join(config.certs_dir, mqtt),
    });
  return files;
}

/**
 * Watches the certificates the box relies on (site CA, CRL, what the CA issued, the operator
 * HTTPS and MQTT client certificates) and raises `security.cert_expiring` / `security.cert_expired`
 * before a camera, an operator or the uplink is locked out, at most once a day per certificate.
 * Reads at start and every `intervalMs`; health reads its reasons in between. A box without a
 * PKI yet has nothing to report. Read-only: `vigil cert` owns certs_dir.
 */
export class CertExpiryMonitor implements Component {
  readonly name = "cert-expiry-monitor";
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private items: WatchedCertificate[] = [];
  /** Alert key -> time of its last alert; only items still due are kept. */
  private alerted = new Map<string, number>();
  private readonly beat: PeriodicTask;

  constructor(private readonly options: CertExpiryMonitorOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_CERT_CHECK_INTERVAL_MS;
    this.now = options.now ?? (() => new Date());
    this.beat = new PeriodicTask(this.intervalMs, () => this.checkOnce());
  }

  async start(): Promise<void> {
    await this.beat.start({ first: "now" });
  }

  async stop(): Promise<void> {
    await this.beat.stop();
  }

  /** Reads the certificates again and sends what is due; never throws. A check under way is joined, not doubled. */
  check(): Promise<void> {
    return this.beat.runNow();
  }

  /** Recomputed from the last read against the clock now, so days left stay right between reads. */
  get certificates(): CertificateHealth[] {
    return this.assessed().map(({ name, kind, not_after, days_left, status }) => ({
      name,
      kind,
      not_after,
      days_left,
      status,
    }));
  }

  /** One line per certificate expiring or expired, for the health document's reasons. */
  get reasons(): string[] {
    return this.assessed().filter(isDue).map(expiryReason);
  }

  private assessed(): CertificateExpiry[] {
    return assessExpiry(this.items, this.now(), this.options.thresholdDays);
  }

  private async checkOnce(): Promise<void> {
    const { log, thresholdDays } = this.options;
    try {
      this.items = withoutDuplicates([...(await this.readIndex()), ...(await this.readFiles())]);
      const now = this.now();
      const assessed = assessExpiry(this.items, now, thresholdDays);
      this.alerted = forgetResolved(this.alerted, assessed);
      for (const alert of selectAlerts(assessed, this.alerted, now.getTime(), thresholdDays)) {
        log.warn({ alert: alert.type, ...alert.data }, "certificate expiry");
        try {
          await this.options.alert(alert.type, alert.data);
          this.alerted.set(alert.key, now.getTime());
        } catch (err) {
          // Not remembered: the next check tries again.
          log.error({ err, alert: alert.type, name: alert.data.name }, "certificate expiry alert could not be queued");
        }
      }
    } catch (err) {
      log.error({ err }, "certificate expiry check failed");
    }
  }

  private async readIndex(): Promise<WatchedCertificate[]> {
    const path = join(this.options.certsDir, PKI_FILES.index);
    try {
      const text = await readTextIfExists(path);
      // No site CA made yet: nothing of it to watch.
      return text === undefined ? [] : watchedFromIndex(parseIndex(text, path));
    } catch (err) {
      // A damaged index hides only the site PKI; the configured files are still watched.
      this.options.log.warn(
        { err, file: path },
        "site PKI index unreadable; its certificates are not watched for expiry",
      );
      return [];
    }
  }

  private async readFiles(): Promise<WatchedCertificate[]> {
    const watched: WatchedCertificate[] = [];
    for (const file of this.options.files ?? []) {
      let cert: X509Certificate;
      try {
        const pem = await readTextIfExists(file.path);
        if (pem === undefined) continue;
        // A chain file: its first certificate is the one presented.
        cert = new X509Certificate(pem);
      } catch (err) {
        this.options.log.warn(
          { err, file: file.path, name: file.name },
          "certificate unreadable; not watched for expiry",
        );
        continue;
      }
      watched.push({
        name: file.name,
        kind: file.kind,
        label: file.label,
        serial: cert.serialNumber,
        fingerprint: cert.fingerprint256,
        not_after: new Date(cert.validTo).toISOString(),
      });
    }
    return watched;
  }
}
