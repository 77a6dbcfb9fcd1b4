import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fsyncPath } from "../../core/atomic-file.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";

const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;
const SAFE_FILE = /^clips\/[A-Za-z0-9-]{1,64}\/[0-9]{1,4}\.mp4$/;
const TMP = /\.tmp(\.list)?$/;

/**
 * Incident clips under `<data_dir>/clips/<incident id>/<n>.mp4`. A clip is made in a temporary
 * file beside its final name, fsynced, renamed and its directory fsynced: a clip an incident
 * names is whole, and a crash mid-assembly leaves only a `.tmp`, which `sweepTemporaries` removes.
 */
export class ClipStore {
  constructor(private readonly dataDir: string) {}

  static relativePath(incidentId: string, n: number): string {
    if (!SAFE_ID.test(incidentId) || !Number.isInteger(n) || n < 0 || n > 9999)
      throw new VigilError(ErrorCodes.VALIDATION, `not a clip of an incident: ${incidentId}/${n}`);
    return `clips/${incidentId}/${n}.mp4`;
  }

  /** The absolute path of a clip an incident names; undefined for anything else. */
  absolute(file: string): string | undefined {
    return SAFE_FILE.test(file) ? join(this.dataDir, file) : undefined;
  }

  /** A fresh temporary path for clip `n` (its directory created). */
  async temporary(incidentId: string, n: number): Promise<{ tmp: string; final: string; file: string }> {
    const file = ClipStore.relativePath(incidentId, n);
    await mkdir(join(this.dataDir, "clips", incidentId), { recursive: true, mode: 0o700 });
    const final = join(this.dataDir, file);
    return { tmp: `${final}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`, final, file };
  }

  /** Makes a finished temporary file the clip: fsync, rename, fsync the directory. */
  async commit(tmp: string, final: string): Promise<{ sha256: string; bytes: number }> {
    const handle = await open(tmp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const digest = await sha256File(tmp);
    await rename(tmp, final);
    await fsyncPath(join(final, ".."));
    return digest;
  }

  /** Temporary files left by a crash during assembly. */
  async sweepTemporaries(): Promise<string[]> {
    const root = join(this.dataDir, "clips");
    const removed: string[] = [];
    for (const id of await readdir(root).catch(() => [] as string[])) {
      if (!SAFE_ID.test(id)) continue;
      for (const name of await readdir(join(root, id)).catch(() => [] as string[])) {
        if (!TMP.test(name)) continue;
        await rm(join(root, id, name), { force: true });
        removed.push(`clips/${id}/${name}`);
      }
    }
    return removed;
  }

  /** A clip's bytes, or undefined when it is gone (evidence packs). */
  async read(file: string): Promise<Buffer | undefined> {
    const path = this.absolute(file);
    if (!path) return undefined;
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  async size(file: string): Promise<number | undefined> {
    const path = this.absolute(file);
    if (!path) return undefined;
    const s = await stat(path).catch(() => undefined);
    return s?.isFile() ? s.size : undefined;
  }

  /** Deletes one incident's clips (retention, after the incident is deleted or its clips expire). */
  async remove(incidentId: string): Promise<void> {
    if (!SAFE_ID.test(incidentId)) return;
    await rm(join(this.dataDir, "clips", incidentId), { recursive: true, force: true });
  }
}

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest("hex"), bytes };
}
