import { TLSSocket } from "node:tls";
import type { CameraConfig } from "../../config/schema.js";
import type { CertificateIdentifier } from "../camera-authenticator.js";
import { identifyCamera, type RevocationCheck } from "./identify-camera.js";

/**
 * The client certificate behind a request, as the camera authenticator wants it: `undefined` on a
 * plain connection or when no certificate was sent (the camera may be using an API key), a
 * verdict otherwise. Revocation is checked against the trust store's current CRL, so a reload
 * applies to the very next request.
 */
export function certificateIdentifier(
  cameras: () => readonly CameraConfig[],
  trust: RevocationCheck,
): CertificateIdentifier {
  return (request) => {
    const socket = request.raw.socket;
    if (!(socket instanceof TLSSocket)) return undefined;
    const id = identifyCamera(socket, cameras(), trust);
    if (id.ok) return { ok: true, cameraId: id.cameraId, fingerprint: id.fingerprint, subject: id.subject };
    if (id.reason === "absent") return undefined;
    return { ok: false, reason: id.reason, fingerprint: id.fingerprint };
  };
}
