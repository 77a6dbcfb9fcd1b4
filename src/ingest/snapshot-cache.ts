import type { LatestFrames } from "../contract/latest-frames.js";

export type { LatestFrames } from "../contract/latest-frames.js";

export interface Snapshot {
  readonly jpeg: Buffer;
  readonly capturedAt: number;
}

/**
 * A small ring of the latest JPEGs per camera, in memory only: a 1080p JPEG is ~100-300 KB, so
 * two per camera stay cheap for dozens of cameras. Fed by the cameras' ffmpeg snapshot output and
 * by push cameras' uploaded frames.
 */
export class SnapshotCache implements LatestFrames {
  private readonly rings = new Map<string, Snapshot[]>();

  constructor(private readonly depth = 2) {
    if (!Number.isSafeInteger(depth) || depth < 1)
      throw new RangeError(`depth must be a positive integer, got ${depth}`);
  }

  put(cameraId: string, jpeg: Buffer, capturedAt: number): void {
    const ring = this.rings.get(cameraId) ?? [];
    ring.push({ jpeg, capturedAt });
    while (ring.length > this.depth) ring.shift();
    this.rings.set(cameraId, ring);
  }

  latestJpeg(cameraId: string): Snapshot | undefined {
    return this.rings.get(cameraId)?.at(-1);
  }

  /** Newest last. */
  recent(cameraId: string): readonly Snapshot[] {
    return [...(this.rings.get(cameraId) ?? [])];
  }

  forget(cameraId: string): void {
    this.rings.delete(cameraId);
  }
}
