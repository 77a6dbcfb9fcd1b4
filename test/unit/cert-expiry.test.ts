// Certificate expiry: which certificates are watched, which are due, what health says, and that
// each due certificate is alerted at most once a day.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ALERT_REPEAT_MS,
  assessExpiry,
  type CertificateExpiry,
  daysLeft,
  expiryReason,
  forgetResolved,
  selectAlerts,
  type WatchedCertificate,
  watchedFromIndex,
  withoutDuplicates,
} from "../../src/auth/pki/cert-expiry.js";
import type { IssuedCertificate, PkiIndex } from "../../src/auth/pki/pki-index.js";

const NOW = new Date("2030-06-01T00:00:00.000Z");
const HOUR = 3_600_000;
const at = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();
const day = (n: number): string => at(n * 24 * HOUR);
const FP = (c: string): string => `${c}${c}:`.repeat(31) + `${c}${c}`;

function cert(name: string, serial: string, fields: Partial<IssuedCertificate> = {}): IssuedCertificate {
  return {
    serial,
    kind: "camera",
    name,
    subject: `O=hq, OU=camera, CN=${name}`,
    fingerprint_sha256: FP(serial.slice(-1)),
    not_before: day(-10),
    not_after: day(100),
    issued_at: day(-10),
    cert_file: `${name}.crt`,
    key_file: `${name}.key`,
    dns: [],
    ip: [],
    ...fields,
  };
}

function index(certificates: IssuedCertificate[]): PkiIndex {
  return {
    version: 1,
    site: "hq",
    ca: {
      serial: "4A",
      subject: "O=hq, OU=ca, CN=Vigil site CA hq",
      fingerprint_sha256: FP("0"),
      not_before: day(-20),
      not_after: day(3000),
      created_at: day(-20),
      cert_file: "ca.crt",
      key_file: "ca.key",
    },
    crl: { number: 3, this_update: day(-1), next_update: day(364), file: "ca.crl" },
    certificates,
  };
}

function watched(name: string, notAfter: string, serial?: string): WatchedCertificate {
  return { name, kind: "camera", label: `certificate ${name}`, serial, not_after: notAfter };
}

function assessed(name: string, notAfter: string, serial?: string): CertificateExpiry {
  const [item] = assessExpiry([watched(name, notAfter, serial)], NOW, 30);
  assert.ok(item);
  return item;
}

void describe("certificate expiry", () => {
  void it("days left are whole days rounded down, negative once expired", () => {
    assert.equal(daysLeft(day(12), NOW), 12);
    assert.equal(daysLeft(at(12 * 24 * HOUR - 1), NOW), 11);
    assert.equal(daysLeft(at(HOUR), NOW), 0);
    assert.equal(daysLeft(at(-HOUR), NOW), -1);
  });

  void it("status: valid beyond the threshold, expiring within it (inclusive), expired at not_after", () => {
    const statuses = assessExpiry(
      [watched("a", day(31)), watched("b", day(30)), watched("c", at(1)), watched("d", at(0)), watched("e", day(-3))],
      NOW,
      30,
    ).map((c) => `${c.name}:${c.status}:${c.days_left}`);
    assert.deepEqual(statuses, ["a:valid:31", "b:expiring:30", "c:expiring:0", "d:expired:0", "e:expired:-3"]);
  });

  void it("watches the CA, the CRL's next update and the newest certificate of each name unless revoked", () => {
    const items = watchedFromIndex(
      index([
        cert("lobby", "01", { issued_at: day(-900), not_after: day(-75) }),
        cert("lobby", "02", { issued_at: day(-75) }),
        cert("garage", "03", { revoked_at: day(-2) }),
        cert("door", "04", { issued_at: day(-900), not_after: day(-1) }),
        cert("door", "05", { issued_at: day(-1), revoked_at: day(-1) }),
        cert("server", "06", { kind: "server" }),
      ]),
    );
    assert.deepEqual(
      items.map((i) => `${i.kind}:${i.name}:${i.serial ?? "-"}:${i.not_after.slice(0, 10)}`),
      ["ca:ca:4A:2038-08-18", "crl:crl:-:2031-05-31", "camera:lobby:02:2030-09-09", "server:server:06:2030-09-09"],
    );
    assert.equal(items[2]?.label, "certificate lobby");
    assert.equal(items[0]?.label, "site CA");
  });

  void it("a configured file that is also an index certificate is watched once, under its index name", () => {
    const indexed = { ...watched("server", day(10), "06"), fingerprint: FP("6") };
    const file = {
      name: "http.tls.cert",
      kind: "operator_https" as const,
      label: "operator HTTPS certificate",
      serial: "06",
      fingerprint: FP("6"),
      not_after: day(10),
    };
    const other = { ...file, name: "mqtt.tls.cert", kind: "mqtt_client" as const, fingerprint: FP("7") };
    assert.deepEqual(
      withoutDuplicates([indexed, watched("crl", day(300)), file, other]).map((i) => i.name),
      ["server", "crl", "mqtt.tls.cert"],
    );
  });

  void it("reasons name the certificate and when", () => {
    assert.equal(expiryReason(assessed("lobby", day(12.5))), "certificate lobby expires in 12 days");
    assert.equal(expiryReason(assessed("lobby", day(1.5))), "certificate lobby expires in 1 day");
    assert.equal(expiryReason(assessed("lobby", at(HOUR))), "certificate lobby expires within a day");
    assert.equal(expiryReason(assessed("lobby", day(-3))), `certificate lobby expired on ${day(-3).slice(0, 10)}`);
  });

  void it("alerts each due certificate once, again only after a day; valid ones never", () => {
    const items = [assessed("lobby", day(5), "0A"), assessed("door", day(-1), "0B"), assessed("hall", day(200), "0C")];
    const first = selectAlerts(items, new Map(), NOW.getTime(), 30);
    assert.deepEqual(
      first.map((a) => `${a.type} ${a.data.name}`),
      ["security.cert_expiring lobby", "security.cert_expired door"],
    );
    assert.deepEqual(first[0]?.data, {
      name: "lobby",
      kind: "camera",
      serial: "0A",
      not_after: day(5),
      days_left: 5,
      threshold_days: 30,
    });

    const alerted = new Map(first.map((a) => [a.key, NOW.getTime()]));
    assert.deepEqual(
      selectAlerts(items, alerted, NOW.getTime() + ALERT_REPEAT_MS - 1, 30),
      [],
      "not again within the day",
    );
    assert.equal(selectAlerts(items, alerted, NOW.getTime() + ALERT_REPEAT_MS, 30).length, 2, "again a day later");
  });

  void it("a certificate that expires, or is renewed, is news the same day; resolved ones are forgotten", () => {
    const expiring = assessed("lobby", at(HOUR), "0A");
    const alerted = new Map(selectAlerts([expiring], new Map(), NOW.getTime(), 30).map((a) => [a.key, NOW.getTime()]));
    const [expired] = assessExpiry([watched("lobby", at(HOUR), "0A")], new Date(NOW.getTime() + 2 * HOUR), 30);
    assert.ok(expired);
    assert.deepEqual(
      selectAlerts([expired], alerted, NOW.getTime() + 2 * HOUR, 30).map((a) => a.type),
      ["security.cert_expired"],
    );

    const renewedSoon = assessed("lobby", day(20), "0D");
    assert.equal(
      selectAlerts([renewedSoon], alerted, NOW.getTime(), 30).length,
      1,
      "a new serial is a new certificate",
    );
    const renewed = assessed("lobby", day(800), "0D");
    assert.equal(forgetResolved(alerted, [renewed]).size, 0);
    assert.equal(forgetResolved(alerted, [expiring]).size, 1);
  });
});
