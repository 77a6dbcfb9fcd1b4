import type { X509Certificate } from "node:crypto";
import type { CameraConfig } from "../../config/schema.js";
import { formatDistinguishedName, parseDistinguishedName } from "../pki/distinguished-name.js";
import { normaliseFingerprint, normaliseSerial } from "../pki/fingerprint.js";
import { bindCertificateToCamera, type BindingRule } from "./camera-binding.js";

export type CameraCertRefusal = "absent" | "untrusted" | "revoked" | "expired" | "unbound";

export type CameraCertIdentity =
  | { ok: true; cameraId: string; rule: BindingRule; fingerprint: string; subject: string; serial: string }
  /** A refused certificate still carries what identifies it, for the audit entry. */
  | { ok: false; reason: CameraCertRefusal; detail?: string; fingerprint?: string; subject?: string; serial?: string };

/** What is read from the connection; a `tls.TLSSocket` is one. */
export interface PeerTlsSocket {
  readonly authorized: boolean;
  readonly authorizationError?: unknown;
  getPeerX509Certificate(): X509Certificate | undefined;
}

export interface RevocationCheck {
  isRevoked(serial: string): boolean;
}

/** OpenSSL's verdict, as Node reports it (a code string at run time, typed as an Error). */
function verifyErrorCode(error: unknown): string {
  if (typeof error === "string") return error;
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.message : "UNKNOWN";
}

/** Node escapes what would break the format; anything still unreadable simply binds to nothing. */
function safeParse(subject: string): ReturnType<typeof parseDistinguishedName> {
  try {
    return parseDistinguishedName(subject);
  } catch {
    return [];
  }
}

function refusalFor(code: string): CameraCertRefusal {
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") return "expired";
  if (code === "CERT_REVOKED") return "revoked";
  return "untrusted";
}

/**
 * The camera behind a TLS connection that asked for (but did not require) a client certificate.
 * The listener runs with `rejectUnauthorized: false` so a refusal is an HTTP 401 with a code,
 * which makes this the check that counts: chain (OpenSSL's verdict), then revocation against
 * the trust store's current CRL (current at the moment of the call, so a CRL reload applies to
 * resumed sessions too), then the validity window, then the binding to a camera. The caller
 * compares `cameraId` with the camera the request is for.
 */
export function identifyCamera(
  socket: PeerTlsSocket,
  cameras: readonly Pick<CameraConfig, "id" | "push">[],
  revocations: RevocationCheck,
  now: Date = new Date(),
): CameraCertIdentity {
  const peer = socket.getPeerX509Certificate();
  if (!peer) return { ok: false, reason: "absent" };
  const fingerprint = normaliseFingerprint(peer.fingerprint256) ?? peer.fingerprint256;
  const serial = normaliseSerial(peer.serialNumber);
  const subjectAttributes = safeParse(peer.subject);
  const facts = { fingerprint, serial, subject: formatDistinguishedName(subjectAttributes) };
  if (!socket.authorized) {
    const code = verifyErrorCode(socket.authorizationError);
    return { ok: false, reason: refusalFor(code), detail: code, ...facts };
  }
  if (revocations.isRevoked(serial)) return { ok: false, reason: "revoked", detail: "in the current CRL", ...facts };
  if (now.getTime() < Date.parse(peer.validFrom) || now.getTime() > Date.parse(peer.validTo)) {
    return { ok: false, reason: "expired", detail: `valid ${peer.validFrom} to ${peer.validTo}`, ...facts };
  }
  const binding = bindCertificateToCamera({ fingerprint, subject: subjectAttributes }, cameras);
  if (!binding) return { ok: false, reason: "unbound", detail: "no camera accepts this certificate", ...facts };
  return { ok: true, cameraId: binding.cameraId, rule: binding.rule, ...facts };
}
