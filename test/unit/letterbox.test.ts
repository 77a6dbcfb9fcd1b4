import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import fc from "fast-check";
import type { Box } from "../../src/core/geometry.js";
import { computeLetterbox, letterboxFilter, letterboxToSource, sourceToLetterbox } from "../../src/core/letterbox.js";

const run = promisify(execFile);

const srcSide = fc.integer({ min: 1, max: 4096 });
const dstSide = fc.integer({ min: 16, max: 1024 });

// Sizes read from ffmpeg 5.1's -v debug filter log (scale ... -> w:h, pad x:y).
const MEASURED: Array<[number, number, number, number, number, number, number, number]> = [
  [768, 576, 256, 256, 256, 192, 0, 32],
  [1920, 1080, 640, 640, 640, 360, 0, 140],
  [1920, 1280, 256, 256, 256, 171, 0, 42],
  [1920, 1367, 256, 256, 256, 182, 0, 37],
  [501, 333, 256, 256, 256, 170, 0, 43],
  [499, 333, 640, 480, 640, 427, 0, 26],
  [501, 333, 640, 480, 640, 425, 0, 27],
  [333, 501, 640, 480, 319, 480, 160, 0],
  [37, 101, 255, 255, 93, 255, 81, 0],
  [1024, 342, 256, 256, 256, 86, 0, 85], // 85.5 rounds up
];

void test("computeLetterbox matches sizes ffmpeg produced", () => {
  for (const [sw, sh, dw, dh, w, h, px, py] of MEASURED) {
    const lb = computeLetterbox(sw, sh, dw, dh);
    assert.deepEqual([lb.scaledWidth, lb.scaledHeight, lb.padX, lb.padY], [w, h, px, py], `${sw}x${sh} -> ${dw}x${dh}`);
  }
});

void test("scaled image fits, fills one side and keeps the aspect within rounding", () => {
  fc.assert(
    fc.property(srcSide, srcSide, dstSide, dstSide, (sw, sh, dw, dh) => {
      const lb = computeLetterbox(sw, sh, dw, dh);
      assert.ok(lb.scaledWidth >= 1 && lb.scaledWidth <= dw);
      assert.ok(lb.scaledHeight >= 1 && lb.scaledHeight <= dh);
      assert.ok(lb.scaledWidth === dw || lb.scaledHeight === dh);
      for (const [got, exact] of [
        [lb.scaledWidth, sw * lb.scale],
        [lb.scaledHeight, sh * lb.scale],
      ] as const) {
        // Below one pixel the side is held at 1, so only the rounding bound is checked above it.
        if (exact >= 0.5) assert.ok(Math.abs(got - exact) <= 0.5 + 1e-9, `${got} vs ${exact}`);
      }
    }),
  );
});

void test("padding is split evenly, any odd pixel going to the right or bottom", () => {
  fc.assert(
    fc.property(srcSide, srcSide, dstSide, dstSide, (sw, sh, dw, dh) => {
      const lb = computeLetterbox(sw, sh, dw, dh);
      const right = dw - lb.scaledWidth - lb.padX;
      const bottom = dh - lb.scaledHeight - lb.padY;
      assert.ok(right - lb.padX === 0 || right - lb.padX === 1);
      assert.ok(bottom - lb.padY === 0 || bottom - lb.padY === 1);
    }),
  );
});

const boxArb: fc.Arbitrary<Box> = fc
  .tuple(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([a, b, c, d]) => ({
    x1: Math.min(a, b),
    x2: Math.max(a, b),
    y1: Math.min(c, d),
    y2: Math.max(c, d),
  }));

void test("source -> letterbox -> source round-trips and lands inside the content area", () => {
  fc.assert(
    fc.property(srcSide, srcSide, dstSide, dstSide, boxArb, (sw, sh, dw, dh, box) => {
      const lb = computeLetterbox(sw, sh, dw, dh);
      const m = sourceToLetterbox(box, lb);
      const eps = 1e-9;
      assert.ok(m.x1 >= lb.padX / dw - eps && m.x2 <= (lb.padX + lb.scaledWidth) / dw + eps);
      assert.ok(m.y1 >= lb.padY / dh - eps && m.y2 <= (lb.padY + lb.scaledHeight) / dh + eps);
      const back = letterboxToSource(m, lb);
      for (const k of ["x1", "y1", "x2", "y2"] as const) {
        assert.ok(Math.abs(back[k] - box[k]) < 1e-9);
      }
    }),
  );
});

void test("letterboxToSource clamps boxes that reach into the padding", () => {
  fc.assert(
    fc.property(srcSide, srcSide, dstSide, dstSide, boxArb, (sw, sh, dw, dh, box) => {
      const out = letterboxToSource(box, computeLetterbox(sw, sh, dw, dh));
      for (const v of [out.x1, out.y1, out.x2, out.y2]) assert.ok(v >= 0 && v <= 1);
    }),
  );
});

void test("invalid sizes are rejected", () => {
  assert.throws(() => computeLetterbox(0, 10, 256, 256), RangeError);
  assert.throws(() => computeLetterbox(10.5, 10, 256, 256), RangeError);
  assert.throws(() => letterboxFilter(256, -1), RangeError);
});

void test("letterboxFilter is the scale+pad chain", () => {
  assert.equal(
    letterboxFilter(256, 256),
    "scale=256:256:force_original_aspect_ratio=decrease,pad=256:256:(ow-iw)/2:(oh-ih)/2",
  );
});

interface Extent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

// Bounding box of the red (non-padding) pixels in an rgb24 frame.
function redExtent(buf: Buffer, w: number, h: number): Extent {
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if ((buf[(y * w + x) * 3] ?? 0) > 128) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { x0, x1, y0, y1 };
}

void test("real ffmpeg puts the picture where computeLetterbox says", async () => {
  // format=rgb24 in the source graph keeps odd sizes: a yuv420p colour source would truncate
  // them to even before the filter under test ever saw them.
  const cases: Array<[number, number, number, number]> = [
    [768, 576, 256, 256],
    [501, 333, 256, 256],
    [333, 501, 640, 480],
    [1024, 342, 256, 256],
  ];
  for (const [sw, sh, dw, dh] of cases) {
    const { stdout } = await run(
      "ffmpeg",
      [
        ...["-v", "error", "-f", "lavfi", "-i", `color=red:size=${sw}x${sh},format=rgb24`],
        ...["-frames:v", "1", "-vf", letterboxFilter(dw, dh)],
        ...["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
      ],
      { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
    );
    assert.equal(stdout.length, dw * dh * 3);
    const lb = computeLetterbox(sw, sh, dw, dh);
    assert.deepEqual(
      redExtent(stdout, dw, dh),
      {
        x0: lb.padX,
        x1: lb.padX + lb.scaledWidth - 1,
        y0: lb.padY,
        y1: lb.padY + lb.scaledHeight - 1,
      },
      `${sw}x${sh} -> ${dw}x${dh}`,
    );
  }
});
