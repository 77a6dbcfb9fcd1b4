import { createHash } from "node:crypto";

/**
 * Certificate fingerprints and serials in the one form Vigil prints, stores and compares:
 * upper-case hex, fingerprints in colon-separated pairs as `openssl x509 -fingerprint -sha256`
 * and Node's `X509Certificate.fingerprint256` write them.
 */

/** `AB:CD:...` for a digest. */
export function formatFingerprint(digest: Uint8Array): string {
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/** The SHA-256 fingerprint of a DER-encoded certificate. */
export function sha256Fingerprint(der: Uint8Array): string {
  return formatFingerprint(createHash("sha256").update(der).digest());
}

/**
 * Accepts what people paste: any case, with or without colons (or spaces), optionally prefixed
 * `sha256:` / `SHA256 Fingerprint=`; returns the canonical form, or undefined when it is not a
 * SHA-256 fingerprint at all.
 */
export function normaliseFingerprint(text: string): string | undefined {
  const bare = text
    .trim()
    .replace(/^(sha-?256(\s+fingerprint)?\s*[:=]\s*)/i, "")
    .replace(/[:\s]/g, "")
    .toUpperCase();
  return /^[0-9A-F]{64}$/.test(bare) ? (bare.match(/../g) ?? []).join(":") : undefined;
}

/**
 * Serials compare as numbers written in upper-case hex without leading zeros: OpenSSL, Node and
 * @peculiar/x509 disagree on case and on a leading `00` for serials whose top bit is set.
 */
export function normaliseSerial(text: string): string {
  return text
    .trim()
    .replace(/^0x/i, "")
    .replace(/[:\s]/g, "")
    .toUpperCase()
    .replace(/^0+(?=.)/, "");
}

export function isHexSerial(text: string): boolean {
  return /^[0-9A-F]{1,40}$/.test(normaliseSerial(text));
}
