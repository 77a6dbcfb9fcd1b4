import { FrameAssembler } from "./frame-assembler.js";

/**
 * Bytes held before the size is known. ffmpeg prints its output banner before the first frame,
 * but stderr and stdout are two pipes read in whatever order they become readable: a frame or two
 * may come first. Past this the stream is broken, and the watchdog's restart is the cure.
 */
const MAX_PENDING_BYTES = 32 * 1024 * 1024;

/** A rawvideo rgb24 stream whose frame size is learnt after its bytes start to arrive. */
export class SizedFrameStream {
  private assembler: FrameAssembler | undefined;
  private sizeValue: { width: number; height: number } | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes thrown away because the size never came. */
  dropped = 0;

  constructor(private readonly onFrame: (size: { width: number; height: number }, rgb: Buffer) => void) {}

  get size(): { width: number; height: number } | undefined {
    return this.sizeValue;
  }

  setSize(size: { width: number; height: number }): void {
    if (this.sizeValue) return;
    this.sizeValue = size;
    this.assembler = new FrameAssembler(size.width * size.height * 3, (rgb) => this.onFrame(size, rgb));
    const held = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const chunk of held) this.assembler.push(chunk);
  }

  push(chunk: Buffer): void {
    if (this.assembler) {
      this.assembler.push(chunk);
      return;
    }
    if (this.pendingBytes + chunk.length > MAX_PENDING_BYTES) {
      this.dropped += chunk.length;
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }
}
