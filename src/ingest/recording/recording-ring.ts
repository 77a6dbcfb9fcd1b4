import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, stat, statfs } from "node:fs/promises";
import { join } from "node:path";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import type { RecordingOutput } from "../ffmpeg-args.js";
import { parseSegmentName, type RingBounds, type Segment, segmentPattern, segmentsToDelete } from "./segments.js";

const SAFE_CAMERA = /^[a-z0-9_-]{1,64}$/;

export interface RecordingRingOptions {
  /** `<data_dir>/recordings`. */
  readonly root: string;
  /** Cameras that record (clips enabled, a stream to copy); asked at each ffmpeg start. */
  readonly records: (cameraId: string) => boolean;
  readonly segmentS: number;
  readonly bounds: RingBounds;
  /** Free bytes on the volume below which the ring stops; it resumes above 1.5x. */
  readonly minFreeBytes: number;
  readonly intervalMs: number;
  /** The ring stopped or resumed: running ffmpegs must restart for their argv to follow. */
  readonly onStoppedChange?: (stopped: boolean) => void;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * Each recording camera's ring of segments under `recordings/<camera>/`, written by the camera's
 * own ffmpeg (ffmpeg-args.ts) and pruned here to its bounds: seconds for segments no clip claims,
 * bytes for all. When the volume runs low the ring stops: the recording cameras' ffmpegs are
 * restarted without the recording output and the ring is emptied, so the store keeps its room;
 * when free space is back above 1.5x the threshold they are restarted recording again.
 */
export class RecordingRing implements Component {
  readonly name = "recording-ring";
  private timer: NodeJS.Timeout | undefined;
  private lowDisk = false;
  private claims: (cameraId: string, s: Segment) => boolean = () => false;
  private readonly sizes = new Map<string, number>();
  private pruning: Promise<void> = Promise.resolve();

  constructor(private readonly o: RecordingRingOptions) {}

  /** Clips still to be assembled keep their segments past the seconds bound (not the byte bound). */
  claimsFrom(claimed: (cameraId: string, s: Segment) => boolean): void {
    this.claims = claimed;
  }

  async start(): Promise<void> {
    await mkdir(this.o.root, { recursive: true, mode: 0o700 });
    await this.checkDisk();
    this.timer = setInterval(() => void this.prune(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pruning;
  }

  dir(cameraId: string): string {
    if (!SAFE_CAMERA.test(cameraId)) throw new RangeError(`not a camera id: ${cameraId}`);
    return join(this.o.root, cameraId);
  }

  /** Where a new ffmpeg run of the camera records; undefined when it does not (or the disk is low). */
  async output(cameraId: string): Promise<RecordingOutput | undefined> {
    if (!this.o.records(cameraId) || this.lowDisk) return undefined;
    const dir = this.dir(cameraId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const run = randomBytes(5).toString("hex");
    return { dir, pattern: segmentPattern(run), segmentS: this.o.segmentS };
  }

  /** The camera's segments, oldest first. */
  async segments(cameraId: string): Promise<Segment[]> {
    const dir = this.dir(cameraId);
    const names = await readdir(dir).catch(() => [] as string[]);
    const out: Segment[] = [];
    for (const name of names) {
      const parsed = parseSegmentName(name);
      if (!parsed) continue;
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s?.isFile())
        out.push({
          name,
          run: parsed.run,
          startMs: parsed.startMs,
          endMs: Math.max(parsed.startMs, s.mtimeMs),
          bytes: s.size,
        });
    }
    return out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  }

  /** Bytes in each camera's ring at the last pruning (health, soak). */
  get bytes(): ReadonlyMap<string, number> {
    return this.sizes;
  }

  /** Health reasons: why incidents get no clips right now. */
  reasons(): string[] {
    return this.lowDisk
      ? [
          `recording stopped: free space on the data volume below clips.min_free_bytes (${this.o.minFreeBytes} bytes); incidents get no clips`,
        ]
      : [];
  }

  get stopped(): boolean {
    return this.lowDisk;
  }

  /** One pass: the disk check, then every camera's ring down to its bounds. */
  prune(): Promise<void> {
    this.pruning = this.pruning
      .then(() => this.pruneOnce())
      .catch((err: unknown) => this.o.log.warn({ err }, "ring pruning failed"));
    return this.pruning;
  }

  private async pruneOnce(): Promise<void> {
    await this.checkDisk();
    const now = (this.o.now ?? Date.now)();
    const cameras = await readdir(this.o.root).catch(() => [] as string[]);
    for (const cameraId of cameras) {
      if (!SAFE_CAMERA.test(cameraId)) continue;
      const all = await this.segments(cameraId);
      // A camera removed or no longer recording: its ring goes whole, once its last segment is closed.
      const retired = !this.o.records(cameraId);
      // Stopped: nothing is kept but a segment still being written (until its ffmpeg restarts).
      const doomed =
        this.lowDisk || retired
          ? all.filter((s, i) => i < all.length - 1 || s.endMs < now - 2000 * this.o.segmentS)
          : segmentsToDelete(all, this.o.bounds, now, (s) => this.claims(cameraId, s));
      for (const s of doomed) await rm(join(this.dir(cameraId), s.name), { force: true });
      const gone = new Set(doomed);
      this.sizes.set(
        cameraId,
        all.reduce((sum, s) => sum + (gone.has(s) ? 0 : s.bytes), 0),
      );
    }
  }

  private async checkDisk(): Promise<void> {
    const fs = await statfs(this.o.root).catch(() => undefined);
    if (!fs) return;
    const free = fs.bavail * fs.bsize;
    const was = this.lowDisk;
    if (free < this.o.minFreeBytes) this.lowDisk = true;
    else if (free > this.o.minFreeBytes * 1.5) this.lowDisk = false;
    if (was !== this.lowDisk) {
      if (this.lowDisk)
        this.o.log.warn(
          { freeBytes: free, minFreeBytes: this.o.minFreeBytes },
          "disk low: recording ring stopped, incidents go on without clips",
        );
      else this.o.log.info({ freeBytes: free }, "disk space back: the recording ring resumes");
      this.o.onStoppedChange?.(this.lowDisk);
    }
  }
}
