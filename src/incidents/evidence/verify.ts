import type { JWK } from "jose";
import { type FileMap, MANIFEST_FILE, parseManifest, sha256Hex, SIGNATURE_FILE } from "./manifest.js";
import { verifiedManifest } from "./signature.js";
import { unzipFiles } from "./zip.js";

export type EvidenceProblemKind =
  "missing" | "extra" | "hash_mismatch" | "size_mismatch" | "bad_signature" | "manifest_mismatch";

export interface EvidenceProblem {
  readonly file: string;
  readonly problem: EvidenceProblemKind;
}

export interface EvidenceVerifyResult {
  readonly ok: boolean;
  readonly incident?: { readonly id: string; readonly version: number };
  readonly files: number;
  readonly problems: readonly EvidenceProblem[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/**
 * Checks a pack's files (already unzipped) against its signed manifest. Files are checked against
 * what was signed when the signature holds; when it does not, against manifest.json, which is then
 * only a hint, so the problems still say which files differ from what the pack claims.
 */
export async function verifyEvidenceFiles(files: FileMap, publicJwk: JWK): Promise<EvidenceVerifyResult> {
  const problems: EvidenceProblem[] = [];
  const jws = files.get(SIGNATURE_FILE);
  const stored = files.get(MANIFEST_FILE);
  if (!jws) problems.push({ file: SIGNATURE_FILE, problem: "missing" });
  if (!stored) problems.push({ file: MANIFEST_FILE, problem: "missing" });
  const signed = jws ? await verifiedManifest(Buffer.from(jws).toString("utf8"), publicJwk) : undefined;
  if (jws && !signed) problems.push({ file: SIGNATURE_FILE, problem: "bad_signature" });
  if (signed && stored && !sameBytes(signed, stored))
    problems.push({ file: MANIFEST_FILE, problem: "manifest_mismatch" });

  const reference = signed ?? stored;
  const manifest = reference ? parseManifest(reference) : undefined;
  // A signed manifest that does not parse cannot come from Vigil; a stored one may just be damaged.
  if (reference && !manifest && !problems.some((p) => p.file === MANIFEST_FILE))
    problems.push({ file: MANIFEST_FILE, problem: "manifest_mismatch" });
  if (!manifest) return { ok: false, files: 0, problems };

  const listed = new Set<string>();
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const bytes = files.get(entry.path);
    if (!bytes) problems.push({ file: entry.path, problem: "missing" });
    else if (bytes.byteLength !== entry.size) problems.push({ file: entry.path, problem: "size_mismatch" });
    else if (sha256Hex(bytes) !== entry.sha256) problems.push({ file: entry.path, problem: "hash_mismatch" });
  }
  for (const path of [...files.keys()].sort()) {
    if (path !== MANIFEST_FILE && path !== SIGNATURE_FILE && !listed.has(path))
      problems.push({ file: path, problem: "extra" });
  }
  return {
    ok: problems.length === 0,
    incident: { id: manifest.incident.id, version: manifest.incident.version },
    files: manifest.files.length,
    problems,
  };
}

/** Verifies a pack as received: the ZIP bytes against the gateway's public JWK. */
export function verifyEvidencePack(zip: Uint8Array, publicJwk: JWK): Promise<EvidenceVerifyResult> {
  return verifyEvidenceFiles(unzipFiles(zip), publicJwk);
}
