import type { CameraConfig } from "../../config/schema.js";
import {
  type DnAttribute,
  dnValues,
  parseDistinguishedName,
  sameDistinguishedName,
} from "../pki/distinguished-name.js";
import { normaliseFingerprint } from "../pki/fingerprint.js";
import { CAMERA_OU } from "../pki/cert-profiles.js";

/**
 * Which camera a (trusted) client certificate speaks for. Pure.
 *
 * - A camera with `push.client_cert` accepts exactly the certificate it names: by SHA-256
 *   fingerprint, by subject, or both when both are given. Such a camera does not also accept the
 *   default below, so pinning a certificate narrows what it accepts.
 * - Every other camera accepts the default: CN equal to its id and OU `camera`, which is what
 *   `vigil cert issue --kind camera --name <id>` writes.
 * - Pins win over the default; a certificate pinned by two cameras binds to neither.
 */

export interface CertificateFacts {
  /** Canonical `AB:CD:...` form. */
  readonly fingerprint: string;
  readonly subject: readonly DnAttribute[];
}

export type BindingRule = "fingerprint" | "subject" | "fingerprint+subject" | "default";

export interface CameraBinding {
  readonly cameraId: string;
  readonly rule: BindingRule;
}

type BindableCamera = Pick<CameraConfig, "id" | "push">;

interface Pin {
  readonly fingerprint: string | undefined;
  readonly subject: string | undefined;
}

/** A `client_cert` naming neither a fingerprint nor a subject pins nothing: the default applies. */
function pinOf(camera: BindableCamera): Pin | undefined {
  const pin = camera.push.client_cert;
  if (!pin || (pin.fingerprint_sha256 === undefined && pin.subject === undefined)) return undefined;
  return { fingerprint: pin.fingerprint_sha256, subject: pin.subject };
}

function parsedOrUndefined(subject: string): DnAttribute[] | undefined {
  try {
    return parseDistinguishedName(subject);
  } catch {
    return undefined;
  }
}

function matchesPin(facts: CertificateFacts, pin: Pin): boolean {
  if (pin.fingerprint !== undefined && normaliseFingerprint(pin.fingerprint) !== facts.fingerprint) return false;
  if (pin.subject !== undefined) {
    const wanted = parsedOrUndefined(pin.subject);
    if (wanted === undefined || !sameDistinguishedName(wanted, facts.subject)) return false;
  }
  return true;
}

function pinRule(pin: Pin): BindingRule {
  if (pin.fingerprint !== undefined && pin.subject !== undefined) return "fingerprint+subject";
  return pin.fingerprint !== undefined ? "fingerprint" : "subject";
}

export function bindCertificateToCamera(
  facts: CertificateFacts,
  cameras: readonly BindableCamera[],
): CameraBinding | undefined {
  const pinned: CameraBinding[] = [];
  for (const camera of cameras) {
    const pin = pinOf(camera);
    if (pin && matchesPin(facts, pin)) pinned.push({ cameraId: camera.id, rule: pinRule(pin) });
  }
  if (pinned.length > 0) return pinned.length === 1 ? pinned[0] : undefined;
  const cn = dnValues(facts.subject, "CN");
  if (cn.length !== 1 || !dnValues(facts.subject, "OU").includes(CAMERA_OU)) return undefined;
  const camera = cameras.find((c) => c.id === cn[0] && pinOf(c) === undefined);
  return camera ? { cameraId: camera.id, rule: "default" } : undefined;
}

/** Config mistakes in certificate pins, for `vigil config check` and start-up: `[path, problem]`. */
export function cameraBindingProblems(cameras: readonly BindableCamera[]): Array<{ path: string; problem: string }> {
  const problems: Array<{ path: string; problem: string }> = [];
  const seen = new Map<string, string>();
  cameras.forEach((camera, i) => {
    const pin = pinOf(camera);
    if (!pin) return;
    if (pin.subject !== undefined && parsedOrUndefined(pin.subject) === undefined) {
      problems.push({
        path: `cameras[${i}].push.client_cert.subject`,
        problem: `"${pin.subject}" is not a distinguished name like CN=lobby,OU=camera,O=hq`,
      });
    }
    const fingerprint = pin.fingerprint === undefined ? undefined : normaliseFingerprint(pin.fingerprint);
    if (fingerprint === undefined) return;
    const other = seen.get(fingerprint);
    if (other !== undefined)
      problems.push({
        path: `cameras[${i}].push.client_cert.fingerprint_sha256`,
        problem: `the same certificate is pinned by camera "${other}"; it would bind to neither`,
      });
    seen.set(fingerprint, camera.id);
  });
  return problems;
}
