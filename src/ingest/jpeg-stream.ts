/**
 * Where the JPEG at the start of `buf` ends (the index after its EOI marker), `undefined` while it
 * is incomplete, or -1 when `buf` does not start with a JPEG. Walks the marker segments rather
 * than searching for FF D9, which can occur inside table segments; inside entropy-coded data
 * every FF is followed by 00 (stuffing) or a restart marker, so the first other FF xx after the
 * scan is the next marker. Pure.
 */
export function jpegEnd(buf: Buffer): number | undefined {
  if (buf.length < 2) return buf.length === 1 && buf[0] !== 0xff ? -1 : undefined;
  if (buf[0] !== 0xff || buf[1] !== 0xd8) return -1;
  let pos = 2;
  for (;;) {
    if (pos + 1 >= buf.length) return undefined;
    if (buf[pos] !== 0xff) return -1;
    const marker = buf[pos + 1] as number;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) return pos + 2;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += 2;
      continue;
    }
    if (pos + 3 >= buf.length) return undefined;
    const segmentEnd = pos + 2 + buf.readUInt16BE(pos + 2);
    if (marker !== 0xda) {
      pos = segmentEnd;
      continue;
    }
    const next = nextMarkerAfterScan(buf, segmentEnd);
    if (next === undefined) return undefined;
    pos = next;
  }
}

function nextMarkerAfterScan(buf: Buffer, from: number): number | undefined {
  let i = from;
  for (;;) {
    i = buf.indexOf(0xff, i);
    if (i < 0 || i + 1 >= buf.length) return undefined;
    const b = buf[i + 1] as number;
    if (b === 0x00 || (b >= 0xd0 && b <= 0xd7) || b === 0xff) i += 1;
    else return i;
  }
}

/**
 * Cuts ffmpeg's image2pipe output (JPEGs back to back, no framing) into whole images. Garbage
 * before a start-of-image marker is skipped; an image that grows past `maxBytes` without ending
 * is dropped, so a broken stream costs bounded memory.
 */
export class JpegStreamSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onImage: (jpeg: Buffer) => void,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const end = jpegEnd(this.pending);
      if (end === undefined) break;
      if (end < 0) {
        const soi = this.pending.indexOf(Buffer.from([0xff, 0xd8]), 1);
        // Without a start marker, only a trailing FF (half of one) is worth keeping.
        if (soi >= 0) this.pending = this.pending.subarray(soi);
        else this.pending = this.pending.at(-1) === 0xff ? this.pending.subarray(-1) : Buffer.alloc(0);
        continue;
      }
      // A copy: the image outlives the pipe chunks it was cut from (the snapshot cache keeps it).
      this.onImage(Buffer.from(this.pending.subarray(0, end)));
      this.pending = this.pending.subarray(end);
    }
    if (this.pending.length > this.maxBytes) this.pending = Buffer.alloc(0);
  }

  get pendingBytes(): number {
    return this.pending.length;
  }
}
