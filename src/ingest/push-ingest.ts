import type { Frame } from "../contract/detection.js";
import type { Logger } from "../core/logger.js";
import { decodeJpegToWorkingSize } from "./jpeg-decoder.js";
import type { WorkingSize } from "./working-size.js";

export interface PushCameraStats {
  readonly received: number;
  readonly decoded: number;
  /** Arrived while the previous frame of the camera was still decoding: dropped, newest wins. */
  readonly dropped: number;
  readonly rejected: number;
  readonly last_frame_at: string | null;
}

export type PushOutcome =
  { readonly accepted: true; readonly frameIndex: number } | { readonly accepted: false; readonly reason: "busy" };

/**
 * Frames pushed by cameras over HTTP: decoded one at a time per camera (a camera pushing faster
 * than the box decodes loses frames, never memory) and handed to the same detection path as the
 * RTSP cameras.
 */
export class PushIngest {
  private readonly busy = new Set<string>();
  private readonly stats = new Map<
    string,
    { received: number; decoded: number; dropped: number; rejected: number; last: number | null }
  >();

  constructor(
    /** The working size of a pushing camera's frames (its `detect` block). */
    private readonly workingOf: (cameraId: string) => WorkingSize,
    private readonly onFrame: (frame: Frame) => void,
    private readonly log: Logger,
    /** Where a decodable pushed JPEG is kept as the camera's latest snapshot. */
    private readonly snapshots?: { put(cameraId: string, jpeg: Buffer, capturedAt: number): void },
  ) {}

  async submit(cameraId: string, jpeg: Buffer): Promise<PushOutcome> {
    const s = this.stats.get(cameraId) ?? { received: 0, decoded: 0, dropped: 0, rejected: 0, last: null };
    this.stats.set(cameraId, s);
    s.received++;
    if (this.busy.has(cameraId)) {
      s.dropped++;
      return { accepted: false, reason: "busy" };
    }
    this.busy.add(cameraId);
    try {
      const capturedAt = Date.now();
      const { rgb, width, height, source } = await decodeJpegToWorkingSize(jpeg, this.workingOf(cameraId));
      const index = s.decoded++;
      s.last = capturedAt;
      this.snapshots?.put(cameraId, jpeg, capturedAt);
      this.onFrame({ cameraId, index, capturedAt, width, height, rgb, source });
      return { accepted: true, frameIndex: index };
    } catch (err) {
      s.rejected++;
      this.log.debug({ err, cameraId }, "pushed frame rejected");
      throw err;
    } finally {
      this.busy.delete(cameraId);
    }
  }

  statsOf(cameraId: string): PushCameraStats | undefined {
    const s = this.stats.get(cameraId);
    return (
      s && {
        received: s.received,
        decoded: s.decoded,
        dropped: s.dropped,
        rejected: s.rejected,
        last_frame_at: s.last === null ? null : new Date(s.last).toISOString(),
      }
    );
  }
}
