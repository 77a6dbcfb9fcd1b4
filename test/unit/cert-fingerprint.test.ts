// Fingerprints and serials compare in one canonical form whatever tool printed them.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  formatFingerprint,
  isHexSerial,
  normaliseFingerprint,
  normaliseSerial,
  sha256Fingerprint,
} from "../../src/auth/pki/fingerprint.js";

const OPENSSL_STYLE = "DF:FE:B8:2F:15:49:92:4E:3B:5B:C2:06:9F:E4:C3:35:3D:56:A6:85:FC:4E:BF:69:EB:F9:8A:7B:CB:D9:DD:2F";

void describe("fingerprints", () => {
  void it("formats a digest as upper-case colon-separated pairs, as openssl prints it", () => {
    assert.equal(formatFingerprint(Uint8Array.from([0x0a, 0xff, 0x00])), "0A:FF:00");
    const der = Buffer.from("not really a certificate");
    assert.equal(sha256Fingerprint(der), formatFingerprint(createHash("sha256").update(der).digest()));
    assert.match(sha256Fingerprint(der), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  void it("normalises case, colons, spaces and openssl's prefix", () => {
    const bare = OPENSSL_STYLE.replaceAll(":", "");
    for (const input of [
      OPENSSL_STYLE,
      OPENSSL_STYLE.toLowerCase(),
      bare,
      bare.toLowerCase(),
      `sha256 Fingerprint=${OPENSSL_STYLE}`,
      `SHA256:${bare}`,
      ` ${OPENSSL_STYLE.replaceAll(":", " ")} `,
    ]) {
      assert.equal(normaliseFingerprint(input), OPENSSL_STYLE, input);
    }
  });

  void it("refuses what is not a SHA-256 fingerprint", () => {
    for (const input of ["", "lobby", OPENSSL_STYLE.slice(3), `${OPENSSL_STYLE}:00`, OPENSSL_STYLE.replace("DF", "DG")])
      assert.equal(normaliseFingerprint(input), undefined, input);
  });

  void it("is idempotent on every digest", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (digest) => {
        const canonical = formatFingerprint(digest);
        assert.equal(normaliseFingerprint(canonical), canonical);
        assert.equal(normaliseFingerprint(canonical.toLowerCase().replaceAll(":", "")), canonical);
      }),
    );
  });
});

void describe("serials", () => {
  void it("compare as numbers: case, a leading 00 or 0x, and colons do not matter", () => {
    assert.equal(normaliseSerial("00ab:cd"), "ABCD");
    assert.equal(normaliseSerial("0xABCD"), "ABCD");
    assert.equal(normaliseSerial("0000"), "0");
    assert.equal(isHexSerial("4fbf"), true);
    assert.equal(isHexSerial("lobby"), false);
    assert.equal(isHexSerial(""), false);
  });
});
