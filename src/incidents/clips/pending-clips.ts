import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../core/atomic-file.js";

/** What the recorder must remember of an incident across a restart to cut its clips. */
export interface PendingClips {
  readonly incidentId: string;
  readonly cameraId: string;
  readonly startedMs: number;
  readonly lastSeenMs: number;
  readonly ended: boolean;
  /** Clips already recorded on the incident. */
  readonly done: number;
}

const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Incidents whose clips are not all cut yet, one small JSON file each under
 * `clips/.pending/`: after a crash (even during assembly) the daemon finds them and cuts the
 * clips whose segments are still in the ring. Written atomically, deleted when the last clip is in.
 */
export class PendingClipFiles {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "clips", ".pending");
  }

  async save(p: PendingClips): Promise<void> {
    if (!SAFE_ID.test(p.incidentId)) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(this.dir, `${p.incidentId}.json`), JSON.stringify(p), 0o600);
  }

  async remove(incidentId: string): Promise<void> {
    if (!SAFE_ID.test(incidentId)) return;
    await rm(join(this.dir, `${incidentId}.json`), { force: true });
  }

  async all(): Promise<PendingClips[]> {
    const out: PendingClips[] = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith(".json") || !SAFE_ID.test(name.slice(0, -5))) continue;
      try {
        const p = JSON.parse(await readFile(join(this.dir, name), "utf8")) as PendingClips;
        if (
          typeof p.incidentId === "string" &&
          typeof p.cameraId === "string" &&
          Number.isFinite(p.startedMs) &&
          Number.isFinite(p.lastSeenMs)
        )
          out.push(p);
      } catch {
        // A torn file cannot happen (atomic writes); anything unreadable is not ours to cut.
      }
    }
    return out;
  }
}
