import type { AuditListQuery } from "../../audit/audit-log.js";
import { auditTrailOf } from "../../audit/audit-target-index.js";
import type { AuditEntry } from "../../contract/audit.js";
import type { Incident } from "../../contract/incident.js";
import { dirname } from "node:path";
import type { Database } from "../../store/database.js";
import { SnapshotStore } from "../snapshot-store.js";
import { ClipStore } from "../clips/clip-store.js";
import { clipFrames } from "../clips/clip-frames.js";

/** Where a pack's contents come from: the running services, or the store opened by the CLI. */
export interface EvidenceSource {
  incident(id: string): Promise<Incident | undefined>;
  /** Every stored audit entry with this target, in seq order. */
  auditTrail(target: string): Promise<AuditEntry[]>;
  /** A stored snapshot's bytes (`SnapshotRef.file`), or undefined when it is gone. */
  snapshot?(file: string): Promise<Uint8Array | undefined>;
  /** A stored clip's bytes (`ClipRef.file`), or undefined when it is gone. */
  clip?(file: string): Promise<Uint8Array | undefined>;
  /** JPEG frames taken evenly across a stored clip (report.html); none when it is gone. */
  clipFrames?(file: string, durationS: number): Promise<Uint8Array[]>;
}

function clipReaders(clips: ClipStore): Pick<EvidenceSource, "clip" | "clipFrames"> {
  return {
    clip: (file) => clips.read(file),
    clipFrames: async (file, durationS) => {
      const path = clips.absolute(file);
      return path && (await clips.size(file)) !== undefined ? clipFrames(path, durationS) : [];
    },
  };
}

const PAGE = 1000;

/** Through the daemon's services: `IncidentService.get` and `AuditLog.forTarget` (the target index), or `list` page by page. */
export function serviceEvidenceSource(
  incidents: { get(id: string): Promise<Incident | undefined> },
  audit: { list(q: AuditListQuery): Promise<AuditEntry[]>; forTarget?(target: string): Promise<AuditEntry[]> },
  snapshots?: SnapshotStore,
  clips?: ClipStore,
): EvidenceSource {
  return {
    incident: (id) => incidents.get(id),
    ...(clips ? clipReaders(clips) : {}),
    ...(snapshots ? { snapshot: (file: string) => snapshots.read(file) } : {}),
    auditTrail: async (target) => {
      if (audit.forTarget) return audit.forTarget(target);
      const out: AuditEntry[] = [];
      let afterSeq = 0;
      for (;;) {
        const page = await audit.list({ afterSeq, limit: PAGE });
        out.push(...page.filter((e) => e.target === target));
        const last = page.at(-1);
        if (page.length < PAGE || !last) return out;
        afterSeq = last.seq;
      }
    },
  };
}

/**
 * Straight from the store's sublevels, for the admin op (which has the store, not the services);
 * snapshots from `<data_dir>/snapshots`, beside the store's `<data_dir>/db`.
 */
export function storeEvidenceSource(database: Database): EvidenceSource {
  const snapshots = new SnapshotStore(dirname(database.location));
  const clips = new ClipStore(dirname(database.location));
  return {
    ...clipReaders(clips),
    snapshot: (file) => snapshots.read(file),
    incident: async (id) => (await database.sublevels.incidents.get(id)) as Incident | undefined,
    auditTrail: (target) => auditTrailOf(database, target),
  };
}
