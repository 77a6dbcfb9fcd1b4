import { createHash } from "node:crypto";

/**
 * The manifest of an evidence pack: what central (or a court) checks the pack against. Every file
 * but the manifest and its signature is listed with its hash and size, so a snapshot added later
 * (`snapshots/...`) is covered without a format change.
 */

export const EVIDENCE_FORMAT = "vigil-evidence/1";
export const MANIFEST_FILE = "manifest.json";
export const SIGNATURE_FILE = "manifest.jws";

export interface ManifestFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

export interface EvidenceManifest {
  readonly format: typeof EVIDENCE_FORMAT;
  readonly incident: { readonly id: string; readonly version: number };
  readonly site: string;
  readonly gateway: string;
  readonly created_at: string;
  readonly created_by: string;
  readonly files: readonly ManifestFile[];
}

export interface ManifestMeta {
  readonly incident: { readonly id: string; readonly version: number };
  readonly site: string;
  readonly gateway: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export type FileMap = ReadonlyMap<string, Uint8Array>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Files in path order, so the same pack always yields the same manifest bytes. */
export function buildManifest(files: FileMap, meta: ManifestMeta): EvidenceManifest {
  const listed = [...files.entries()]
    .filter(([path]) => path !== MANIFEST_FILE && path !== SIGNATURE_FILE)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.byteLength }));
  return {
    format: EVIDENCE_FORMAT,
    incident: { id: meta.incident.id, version: meta.incident.version },
    site: meta.site,
    gateway: meta.gateway,
    created_at: meta.createdAt,
    created_by: meta.createdBy,
    files: listed,
  };
}

/** The exact bytes stored as manifest.json and signed: readable by a person, compared bytewise. */
export function manifestBytes(manifest: EvidenceManifest): Uint8Array {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8");
}

/** A parsed manifest, or undefined when the bytes are not one (the verifier reports, never throws). */
export function parseManifest(bytes: Uint8Array): EvidenceManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.format !== EVIDENCE_FORMAT || !Array.isArray(m.files)) return undefined;
  const wellFormed = m.files.every((f: unknown) => {
    const e = f as Record<string, unknown> | null;
    return (
      typeof e === "object" &&
      e !== null &&
      typeof e.path === "string" &&
      typeof e.sha256 === "string" &&
      Number.isSafeInteger(e.size)
    );
  });
  return wellFormed ? (value as EvidenceManifest) : undefined;
}
