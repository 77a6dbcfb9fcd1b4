/**
 * Cuts ffmpeg's rawvideo byte stream into exact frames. Pipe chunks rarely align with frame
 * boundaries (64 KiB pipes, ~196 KiB frames), so bytes are copied into the frame being filled and
 * a frame is handed over only when complete.
 */
export class FrameAssembler {
  private current: Buffer;
  private filled = 0;

  constructor(
    readonly frameBytes: number,
    private readonly onFrame: (frame: Buffer) => void,
  ) {
    if (!Number.isSafeInteger(frameBytes) || frameBytes <= 0)
      throw new RangeError(`frame size must be positive, got ${frameBytes}`);
    this.current = Buffer.allocUnsafe(frameBytes);
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      chunk.copy(this.current, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        const done = this.current;
        // The receiver may keep the frame (a detector slot), so each frame gets its own buffer.
        this.current = Buffer.allocUnsafe(this.frameBytes);
        this.filled = 0;
        this.onFrame(done);
      }
    }
  }

  /** Bytes of an incomplete frame, dropped when the stream restarts. */
  get pending(): number {
    return this.filled;
  }

  reset(): void {
    this.filled = 0;
  }
}
