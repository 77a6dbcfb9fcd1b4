// The CA's index: expiry status for `vigil cert list`, and which certificate `revoke <x>` means.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  certificateStatus,
  type IssuedCertificate,
  isActive,
  parseIndex,
  type PkiIndex,
  resolveSelector,
  revokedCertificates,
} from "../../src/auth/pki/pki-index.js";
import {
  certFiles,
  subjectFor,
  validateCertName,
  validateSubjectAltNames,
  validityPeriod,
} from "../../src/auth/pki/cert-profiles.js";
import { derInteger } from "../../src/auth/pki/crl-builder.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { expectVigil } from "../helpers/expect-vigil.js";

const NOW = new Date("2030-06-01T00:00:00.000Z");
const day = (n: number): string => new Date(NOW.getTime() + n * 86_400_000).toISOString();
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
    cert_file: certFiles(name).cert,
    key_file: certFiles(name).key,
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

void describe("certificateStatus", () => {
  void it("says valid, expiring within the warning window, expired, or revoked", () => {
    assert.deepEqual(certificateStatus({ not_after: day(100) }, NOW, 30), { status: "valid", days_left: 100 });
    assert.deepEqual(certificateStatus({ not_after: day(30) }, NOW, 30), { status: "expiring", days_left: 30 });
    assert.deepEqual(certificateStatus({ not_after: day(-2) }, NOW, 30), { status: "expired", days_left: -2 });
    assert.equal(certificateStatus({ not_after: day(100), revoked_at: day(-1) }, NOW, 30).status, "revoked");
    assert.equal(isActive(cert("a", "41", { not_after: day(-1) }), NOW), false);
  });
});

void describe("resolveSelector", () => {
  const lobbyOld = cert("lobby", "4000000000000000000000000000000A", {
    revoked_at: day(-5),
    revocation_reason: "superseded",
  });
  const lobby = cert("lobby", "4000000000000000000000000000000B");
  const cafe = cert("cafe", "4000000000000000000000000000000C");
  const hexNamed = cert("c0", "C0");
  const idx = index([lobbyOld, lobby, cafe, hexNamed]);

  void it("finds by serial (any case, leading zeros), fingerprint (any form) or the name of an unrevoked certificate", () => {
    assert.equal(resolveSelector(idx, "4000000000000000000000000000000b"), lobby);
    assert.equal(resolveSelector(idx, "004000000000000000000000000000000B"), lobby);
    assert.equal(resolveSelector(idx, FP("C").replaceAll(":", "").toLowerCase()), cafe);
    assert.equal(resolveSelector(idx, "lobby"), lobby, "the revoked lobby certificate does not count for the name");
  });

  void it("refuses an ambiguous selector, an unknown one, and a name whose certificates are all revoked", () => {
    // "c0" is the name of one certificate and the serial of... the same one: not ambiguous.
    assert.equal(resolveSelector(idx, "c0"), hexNamed);
    const clash = index([cert("ab", "41"), cert("other", "AB")]);
    expectVigil(() => resolveSelector(clash, "ab"), ErrorCodes.VALIDATION);
    expectVigil(() => resolveSelector(idx, "garage"), ErrorCodes.NOT_FOUND);
    expectVigil(() => resolveSelector(index([lobbyOld]), "lobby"), ErrorCodes.CONFLICT);
  });

  void it("lists revoked certificates oldest first for the CRL", () => {
    const later = cert("dock", "4D", { revoked_at: day(-1) });
    assert.deepEqual(
      revokedCertificates(index([later, lobby, lobbyOld])).map((c) => c.name),
      ["lobby", "dock"],
    );
  });
});

void describe("parseIndex", () => {
  void it("accepts what the PKI writes and refuses anything else with PKI_FAILED", () => {
    const good = index([cert("lobby", "41")]);
    assert.deepEqual(parseIndex(JSON.stringify(good), "index.json"), good);
    expectVigil(() => parseIndex("{", "index.json"), ErrorCodes.PKI_FAILED);
    expectVigil(() => parseIndex(JSON.stringify({ ...good, version: 2 }), "index.json"), ErrorCodes.PKI_FAILED);
    expectVigil(
      () => parseIndex(JSON.stringify(index([cert("x", "41", { not_after: "tomorrow" })])), "index.json"),
      ErrorCodes.PKI_FAILED,
    );
  });
});

void describe("certificate profiles", () => {
  void it("names camera certificates after the camera id, and refuses unsafe file names", () => {
    validateCertName("camera", "lobby-2");
    validateCertName("server", "gw01.site.local");
    expectVigil(() => validateCertName("camera", "Lobby"), ErrorCodes.VALIDATION);
    expectVigil(() => validateCertName("camera", "a.b"), ErrorCodes.VALIDATION);
    expectVigil(() => validateCertName("server", "../etc/passwd"), ErrorCodes.VALIDATION);
    expectVigil(() => validateCertName("server", "ca"), ErrorCodes.VALIDATION);
  });

  void it("builds subjects per kind: camera CN=id OU=camera, gateway CN=<site>/<gateway>", () => {
    assert.deepEqual(subjectFor("camera", "lobby", "hq"), [
      { type: "O", value: "hq" },
      { type: "OU", value: "camera" },
      { type: "CN", value: "lobby" },
    ]);
    assert.equal(subjectFor("gateway", "gw-01", "hq").find((a) => a.type === "CN")?.value, "hq/gw-01");
  });

  void it("checks subjectAltNames; a server certificate needs one", () => {
    validateSubjectAltNames("server", { dns: ["gw01.local", "*.cams.local"], ip: ["10.0.0.5", "fd00::1"] });
    validateSubjectAltNames("camera", { dns: [], ip: [] });
    expectVigil(() => validateSubjectAltNames("server", { dns: [], ip: [] }), ErrorCodes.VALIDATION);
    expectVigil(() => validateSubjectAltNames("server", { dns: ["bad name"], ip: [] }), ErrorCodes.VALIDATION);
    expectVigil(() => validateSubjectAltNames("server", { dns: [], ip: ["10.0.0.300"] }), ErrorCodes.VALIDATION);
  });

  void it("backdates notBefore a little and never outlives the CA", () => {
    const { notBefore, notAfter } = validityPeriod(NOW, 10);
    assert.equal(NOW.getTime() - notBefore.getTime(), 5 * 60_000);
    assert.equal(notAfter.toISOString(), day(10));
    expectVigil(() => validityPeriod(NOW, 10, new Date(day(9))), ErrorCodes.VALIDATION);
    expectVigil(() => validityPeriod(NOW, 0), ErrorCodes.VALIDATION);
  });

  void it("encodes CRL numbers as minimal DER integers", () => {
    assert.deepEqual([...derInteger(1)], [0x02, 0x01, 0x01]);
    assert.deepEqual([...derInteger(0x80)], [0x02, 0x02, 0x00, 0x80]);
    assert.deepEqual([...derInteger(0x1234)], [0x02, 0x02, 0x12, 0x34]);
    assert.deepEqual([...derInteger(0)], [0x02, 0x01, 0x00]);
  });
});
