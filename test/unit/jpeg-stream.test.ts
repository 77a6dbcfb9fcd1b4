// Cutting ffmpeg's back-to-back JPEG output into whole images, however the pipe chunks it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { jpegEnd, JpegStreamSplitter } from "../../src/ingest/jpeg-stream.js";

// Real JPEGs from ffmpeg's mjpeg encoder (what the snapshot output produces), of different sizes.
const real = [
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=160x120:rate=1",
    "-frames:v",
    "1",
    "-c:v",
    "mjpeg",
    "-q:v",
    "5",
    "-f",
    "image2pipe",
    "pipe:1",
  ]),
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "mandelbrot=size=320x240:rate=1",
    "-frames:v",
    "1",
    "-c:v",
    "mjpeg",
    "-q:v",
    "2",
    "-f",
    "image2pipe",
    "pipe:1",
  ]),
];

/** A synthetic JPEG whose tables contain FF D9 and whose scan has stuffed FFs and restart markers. */
function tricky(n: number): Buffer {
  const seg = (marker: number, body: number[]): number[] => [
    0xff,
    marker,
    ((body.length + 2) >> 8) & 0xff,
    (body.length + 2) & 0xff,
    ...body,
  ];
  const scan = Array.from({ length: n }, (_, k) =>
    k % 7 === 0 ? [0xff, 0x00] : k % 11 === 0 ? [0xff, 0xd0 + (k % 8)] : [k & 0x7f],
  ).flat();
  return Buffer.from([0xff, 0xd8, ...seg(0xdb, [0xff, 0xd9, 1, 2]), ...seg(0xda, [1, 2, 3]), ...scan, 0xff, 0xd9]);
}

function chunked(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const p of [...points, buf.length]) {
    if (p > from) parts.push(buf.subarray(from, p));
    from = Math.max(from, p);
  }
  return parts;
}

void describe("jpegEnd", () => {
  void it("finds the end of real and tricky JPEGs, and says incomplete for every proper prefix", () => {
    for (const jpeg of [...real, tricky(300)]) {
      assert.equal(jpegEnd(jpeg), jpeg.length);
      for (const cut of [2, 3, 10, Math.floor(jpeg.length / 2), jpeg.length - 1])
        assert.equal(jpegEnd(jpeg.subarray(0, cut)), undefined, `cut ${cut}`);
    }
  });

  void it("rejects what does not start with a start-of-image marker", () => {
    assert.equal(jpegEnd(Buffer.from([0x00, 0xd8, 0xff])), -1);
    assert.equal(jpegEnd(Buffer.from("hello")), -1);
  });
});

void describe("JpegStreamSplitter", () => {
  const imagesArb = fc.array(fc.oneof(fc.constantFrom(...real), fc.integer({ min: 1, max: 400 }).map(tricky)), {
    minLength: 1,
    maxLength: 6,
  });

  void it("yields exactly the images written, in order, for any chunking", () => {
    fc.assert(
      fc.property(imagesArb, fc.array(fc.nat(), { maxLength: 20 }), (images, cuts) => {
        const out: Buffer[] = [];
        const splitter = new JpegStreamSplitter((j) => out.push(j));
        for (const part of chunked(Buffer.concat(images), cuts)) splitter.push(part);
        assert.equal(out.length, images.length);
        out.forEach((j, k) => assert.ok(j.equals(images[k] as Buffer)));
        assert.equal(splitter.pendingBytes, 0);
      }),
    );
  });

  void it("skips garbage before an image and drops an image that outgrows the limit", () => {
    const out: Buffer[] = [];
    const splitter = new JpegStreamSplitter((j) => out.push(j), 1000);
    splitter.push(Buffer.concat([Buffer.from("noise"), real[0] as Buffer]));
    assert.equal(out.length, 1);
    splitter.push(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 3, 1]), Buffer.alloc(2000, 1)]));
    assert.equal(splitter.pendingBytes, 0);
    splitter.push(real[0] as Buffer);
    assert.equal(out.length, 2);
  });
});
