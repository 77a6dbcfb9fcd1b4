import type { AuditEntry } from "../../contract/audit.js";
import type { Incident } from "../../contract/incident.js";
import {
  buildManifest,
  type EvidenceManifest,
  MANIFEST_FILE,
  manifestBytes,
  sha256Hex,
  SIGNATURE_FILE,
} from "./manifest.js";
import { renderReport } from "./report.js";
import { renderReportHtml } from "./report-html.js";
import { signManifest } from "./signature.js";
import { zipFiles } from "./zip.js";

export interface EvidenceInput {
  readonly incident: Incident;
  /** Every audit entry whose target is `incident:<id>`, in seq order. */
  readonly audit: readonly AuditEntry[];
  readonly site: string;
  readonly gateway: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  /** Snapshot bytes by their name in the pack (`1.jpg`): they go to `snapshots/`. */
  readonly snapshots?: ReadonlyMap<string, Uint8Array>;
  /** Clip bytes by their name in the pack (`0.mp4`): they go to `clips/`. */
  readonly clips?: ReadonlyMap<string, Uint8Array>;
  /** Frames across each clip (`0.mp4` -> JPEGs), for report.html's strips. */
  readonly strips?: ReadonlyMap<string, readonly Uint8Array[]>;
}

export interface EvidencePack {
  readonly zip: Uint8Array;
  readonly manifest: EvidenceManifest;
  /** SHA-256 (hex) of manifest.json: what the export's audit entry pins. */
  readonly manifestSha256: string;
  readonly filename: string;
}

function json(value: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8");
}

/** `events/001-created.json`: numbered so a listing shows the history in order. */
function eventPath(index: number, action: string): string {
  return `events/${String(index + 1).padStart(3, "0")}-${action.replace(/[^a-z0-9_-]/gi, "_")}.json`;
}

/** The pack's files before signing; snapshots/ joins them when snapshots exist. */
export function evidenceFiles(input: EvidenceInput): Map<string, Uint8Array> {
  const { incident } = input;
  const files = new Map<string, Uint8Array>();
  files.set("incident.json", json(incident));
  incident.history.forEach((step, i) =>
    files.set(eventPath(i, step.action), json({ incident_id: incident.id, step: i + 1, ...step })),
  );
  files.set("audit.json", json(input.audit));
  for (const [name, bytes] of input.snapshots ?? []) files.set(`snapshots/${name}`, bytes);
  for (const [name, bytes] of input.clips ?? []) files.set(`clips/${name}`, bytes);
  const meta = {
    site: input.site,
    gateway: input.gateway,
    createdAt: input.createdAt.toISOString(),
    createdBy: input.createdBy,
  };
  files.set("report.md", Buffer.from(renderReport(incident, input.audit, meta), "utf8"));
  const pictures = {
    snapshots: input.snapshots ?? new Map<string, Uint8Array>(),
    strips: input.strips ?? new Map<string, Uint8Array[]>(),
  };
  files.set("report.html", Buffer.from(renderReportHtml(incident, input.audit, meta, pictures), "utf8"));
  return files;
}

/** Builds, signs and zips the pack for one incident. */
export async function buildEvidencePack(input: EvidenceInput, signingKeyPem: string): Promise<EvidencePack> {
  const files = evidenceFiles(input);
  const manifest = buildManifest(files, {
    incident: { id: input.incident.id, version: input.incident.version },
    site: input.site,
    gateway: input.gateway,
    createdAt: input.createdAt.toISOString(),
    createdBy: input.createdBy,
  });
  const bytes = manifestBytes(manifest);
  files.set(MANIFEST_FILE, bytes);
  files.set(SIGNATURE_FILE, Buffer.from(await signManifest(signingKeyPem, bytes), "utf8"));
  return {
    zip: zipFiles(files, input.createdAt),
    manifest,
    manifestSha256: sha256Hex(bytes),
    filename: `vigil-evidence-${input.incident.id}-v${input.incident.version}.zip`,
  };
}
