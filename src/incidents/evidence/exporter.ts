import type { AuditRecorder } from "../../contract/audit.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { buildEvidencePack, type EvidencePack } from "./pack.js";
import type { EvidenceSource } from "./source.js";
import type { Incident } from "../../contract/incident.js";

/**
 * Exports one incident's evidence pack. The export itself is audited, with the manifest's hash,
 * before the pack is handed out: a pack in someone's hands always has its entry in the chain
 * (the entry is not in the pack it describes; it is in the next export).
 */
export class EvidenceExporter {
  constructor(
    private readonly source: EvidenceSource,
    private readonly audit: AuditRecorder,
    private readonly signingKeyPem: string,
    private readonly identity: { readonly site: string; readonly gateway: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `clips: false` (`vigil evidence export --no-clips`): the record without the video. */
  async export(id: string, actor: string, source?: string, options: { clips?: boolean } = {}): Promise<EvidencePack> {
    const incident = await this.source.incident(id);
    if (!incident) throw new VigilError(ErrorCodes.NOT_FOUND, `no incident ${id}`);
    const target = `incident:${id}`;
    const pack = await buildEvidencePack(
      {
        incident,
        audit: await this.source.auditTrail(target),
        snapshots: await this.snapshots(incident),
        ...(options.clips === false ? {} : { clips: await this.clips(incident) }),
        strips: await this.strips(incident),
        site: this.identity.site,
        gateway: this.identity.gateway,
        createdAt: this.now(),
        createdBy: actor,
      },
      this.signingKeyPem,
    );
    await this.audit.record({
      actor,
      source,
      action: "incident.exported",
      target,
      result: "ok",
      details: {
        version: incident.version,
        clips: options.clips !== false,
        manifest_sha256: pack.manifestSha256,
        files: pack.manifest.files.length,
        bytes: pack.zip.byteLength,
      },
    });
    return pack;
  }

  /** A strip of frames per clip for report.html (also with --no-clips: the report still shows them). */
  private async strips(incident: Incident): Promise<Map<string, Uint8Array[]>> {
    const out = new Map<string, Uint8Array[]>();
    const frames = this.source.clipFrames?.bind(this.source);
    if (!frames) return out;
    for (const ref of incident.clips ?? [])
      out.set(ref.file.slice(ref.file.lastIndexOf("/") + 1), await frames(ref.file, ref.duration_s));
    return out;
  }

  /** The incident's clips as they are on disk now (`0.mp4`...); one deleted by retention is left out. */
  private async clips(incident: Incident): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    const read = this.source.clip?.bind(this.source);
    if (!read) return out;
    for (const ref of incident.clips ?? []) {
      const bytes = await read(ref.file);
      if (bytes) out.set(ref.file.slice(ref.file.lastIndexOf("/") + 1), bytes);
    }
    return out;
  }

  /**
   * The incident's snapshots as they are on disk now, named by their number. One that is gone
   * (deleted by hand) is left out: the pack's incident.json still lists it with its hash, so the
   * gap shows.
   */
  private async snapshots(incident: Incident): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    const read = this.source.snapshot?.bind(this.source);
    if (!read) return out;
    for (const ref of incident.snapshots ?? []) {
      const bytes = await read(ref.file);
      const name = ref.file.slice(ref.file.lastIndexOf("/") + 1);
      if (bytes) out.set(name, bytes);
    }
    return out;
  }
}
