import type { LatestFrames } from "../../contract/latest-frames.js";
import type { RgbView } from "../regions/crop-image.js";

/** Decodes a JPEG to rgb24 no larger than the bounds, aspect kept (ffmpeg, as every frame). */
export type JpegDecoder = (jpeg: Buffer, bounds: { maxWidth: number; maxHeight: number }) => Promise<RgbView>;

export interface SharperFrameOptions {
  /** How far apart in time the snapshot and the analysed frame may be (people move). */
  readonly maxSkewMs: number;
  /** The decode's bounds: a 4K main stream is shrunk to this, still 1.5x a 1280 working frame. */
  readonly maxSide: number;
}

/**
 * The camera's main-stream picture when it is sharper than the frame being analysed (a camera
 * detecting on its substream keeps a 1 fps JPEG of the main stream for snapshots): faces are
 * looked for and aligned there. Each snapshot is decoded once, the newest kept per camera.
 */
export class SharperFrames {
  private readonly decoded = new Map<string, { capturedAt: number; image: Promise<RgbView | undefined> }>();

  constructor(
    private readonly snapshots: LatestFrames,
    private readonly decode: JpegDecoder,
    private readonly options: SharperFrameOptions,
  ) {}

  /** The snapshot's pixels if one was taken within maxSkewMs of `capturedAt` and is wider than `width`. */
  async near(cameraId: string, capturedAt: number, width: number): Promise<RgbView | undefined> {
    const latest = this.snapshots.latestJpeg(cameraId);
    if (!latest || Math.abs(latest.capturedAt - capturedAt) > this.options.maxSkewMs) return undefined;
    let entry = this.decoded.get(cameraId);
    if (!entry || entry.capturedAt !== latest.capturedAt) {
      const bounds = { maxWidth: this.options.maxSide, maxHeight: this.options.maxSide };
      entry = { capturedAt: latest.capturedAt, image: this.decode(latest.jpeg, bounds).catch(() => undefined) };
      this.decoded.set(cameraId, entry);
    }
    const image = await entry.image;
    return image && image.width > width ? image : undefined;
  }

  forget(cameraId: string): void {
    this.decoded.delete(cameraId);
  }
}
