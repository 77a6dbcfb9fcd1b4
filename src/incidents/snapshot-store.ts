import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { SnapshotRef } from "../contract/incident.js";
import { writeFileAtomic } from "../core/atomic-file.js";
import { ErrorCodes, VigilError } from "../core/errors.js";

/** Incident ids are UUIDs; anything else must never become part of a path. */
const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;
const SAFE_FILE = /^snapshots\/[A-Za-z0-9-]{1,64}\/[0-9]{1,4}\.jpg$/;

/**
 * Incident snapshots under `<data_dir>/snapshots/<incident id>/<n>.jpg`. Written atomically (a
 * temporary file, fsynced, renamed, and the directory fsynced), so a snapshot an incident refers
 * to is either whole on disk or absent, never half a JPEG, even after a power cut.
 */
export class SnapshotStore {
  constructor(private readonly dataDir: string) {}

  /** `snapshots/<id>/<n>.jpg`, relative to data_dir: what incidents store. */
  static relativePath(incidentId: string, n: number): string {
    if (!SAFE_ID.test(incidentId)) throw new VigilError(ErrorCodes.VALIDATION, `not an incident id: ${incidentId}`);
    return `snapshots/${incidentId}/${n}.jpg`;
  }

  async save(incidentId: string, n: number, jpeg: Buffer, capturedAt: number): Promise<SnapshotRef> {
    const file = SnapshotStore.relativePath(incidentId, n);
    const dir = join(this.dataDir, "snapshots", incidentId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(this.dataDir, file), jpeg, 0o600);
    return {
      file,
      captured_at: new Date(capturedAt).toISOString(),
      sha256: createHash("sha256").update(jpeg).digest("hex"),
      bytes: jpeg.byteLength,
    };
  }

  /** A stored snapshot's bytes, or undefined when it is gone (deleted, or never written). */
  async read(file: string): Promise<Buffer | undefined> {
    if (!SAFE_FILE.test(file)) return undefined;
    try {
      return await readFile(join(this.dataDir, file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /** The incident ids that have a snapshot directory (what an orphan check looks up). */
  async ids(): Promise<string[]> {
    const names = await readdir(join(this.dataDir, "snapshots")).catch(() => [] as string[]);
    return names.filter((n) => SAFE_ID.test(n));
  }

  /**
   * Snapshot directories of incidents that no longer exist, untouched for `graceMs`: left by a
   * crash between an incident's deletion and its files' (or before a create that never landed).
   * The grace keeps a directory whose incident is being created right now.
   */
  async orphans(known: ReadonlySet<string>, now: number, graceMs = 3_600_000): Promise<string[]> {
    const root = join(this.dataDir, "snapshots");
    const names = await readdir(root).catch(() => [] as string[]);
    const out: string[] = [];
    for (const name of names) {
      if (!SAFE_ID.test(name) || known.has(name)) continue;
      const s = await stat(join(root, name)).catch(() => undefined);
      if (s?.isDirectory() && now - s.mtimeMs > graceMs) out.push(name);
    }
    return out;
  }

  /** Deletes one incident's snapshot directory (retention, after the incident is deleted). */
  async remove(incidentId: string): Promise<void> {
    if (!SAFE_ID.test(incidentId)) return;
    await rm(join(this.dataDir, "snapshots", incidentId), { recursive: true, force: true });
  }
}
