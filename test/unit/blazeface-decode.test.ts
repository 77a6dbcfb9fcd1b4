import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { blazeFaceAnchors } from "../../src/inference/blazeface-anchors.js";
import type { BlazeFaceOutputs } from "../../src/inference/blazeface-decode.js";
import { decodeBlazeFace } from "../../src/inference/blazeface-decode.js";

const close = (a: number, b: number, eps = 1e-6): void => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

function anchorAt(anchors: Float32Array, i: number): [number, number] {
  return [anchors[2 * i]!, anchors[2 * i + 1]!];
}

function emptyOutputs(logit = -20): BlazeFaceOutputs {
  return {
    scores: [new Float32Array(512).fill(logit), new Float32Array(384).fill(logit)],
    regressors: [new Float32Array(512 * 16), new Float32Array(384 * 16)],
  };
}

// Writes a logit and 16 regressor values for global anchor index i.
function setAnchor(out: BlazeFaceOutputs, i: number, logit: number, reg: readonly number[]): void {
  const g = i < 512 ? 0 : 1;
  const j = g === 0 ? i : i - 512;
  out.scores[g][j] = logit;
  out.regressors[g].set(reg, j * 16);
}

for (const size of [128, 256] as const) {
  void test(`anchors for ${size}: 896 centres, stride-16-cell grid then 8x8 grid`, () => {
    const a = blazeFaceAnchors(size);
    assert.equal(a.length, 896 * 2);
    close(anchorAt(a, 0)[0], 0.5 / 16);
    close(anchorAt(a, 0)[1], 0.5 / 16);
    assert.deepEqual(anchorAt(a, 1), anchorAt(a, 0));
    close(anchorAt(a, 2)[0], 1.5 / 16);
    close(anchorAt(a, 32)[1], 1.5 / 16);
    close(anchorAt(a, 511)[0], 15.5 / 16);
    close(anchorAt(a, 511)[1], 15.5 / 16);
    for (let i = 512; i < 518; i++) {
      close(anchorAt(a, i)[0], 0.5 / 8);
      close(anchorAt(a, i)[1], 0.5 / 8);
    }
    close(anchorAt(a, 518)[0], 1.5 / 8);
    close(anchorAt(a, 512 + 48)[1], 1.5 / 8);
    close(anchorAt(a, 895)[0], 7.5 / 8);
    close(anchorAt(a, 895)[1], 7.5 / 8);
  });
}

void test("anchors reject other input sizes", () => {
  assert.throws(() => blazeFaceAnchors(300 as 256), RangeError);
});

void test("one strong logit decodes to the expected box and keypoints", () => {
  const out = emptyOutputs();
  // Global anchor 600 is cell 88 of the 8x8 grid: row 1, column 6.
  const reg = [8, -4, 40, 48, -10, -6, 10, -6, 0, 4, 0, 14, -18, 0, 18, 0];
  setAnchor(out, 600, 3, reg);
  const dets = decodeBlazeFace(out, 256, { scoreThreshold: 0.5, iouThreshold: 0.3 });
  assert.equal(dets.length, 1);
  const d = dets[0]!;
  close(d.score, 1 / (1 + Math.exp(-3)));
  const cx = 6.5 / 8 + 8 / 256;
  const cy = 1.5 / 8 - 4 / 256;
  close(d.box.x1, cx - 20 / 256);
  close(d.box.x2, cx + 20 / 256);
  close(d.box.y1, cy - 24 / 256);
  close(d.box.y2, cy + 24 / 256);
  assert.equal(d.keypoints.length, 6);
  close(d.keypoints[0]!.x, 6.5 / 8 - 10 / 256);
  close(d.keypoints[0]!.y, 1.5 / 8 - 6 / 256);
  close(d.keypoints[5]!.x, 6.5 / 8 + 18 / 256);

  // Offsets are in input pixels, so the same raw width is twice the fraction of a 128 input.
  const small = decodeBlazeFace(out, 128, { scoreThreshold: 0.5, iouThreshold: 0.3 });
  close(small[0]!.box.x2 - small[0]!.box.x1, 40 / 128);
});

void test("first-group anchors decode against the 16x16 grid", () => {
  const out = emptyOutputs();
  // Anchor 35 is cell 17 of the 16x16 grid: row 1, column 1.
  setAnchor(out, 35, 5, [0, 0, 16, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const [d] = decodeBlazeFace(out, 256, { scoreThreshold: 0.5, iouThreshold: 0.3 });
  assert.ok(d);
  close((d.box.x1 + d.box.x2) / 2, 1.5 / 16);
  close((d.box.y1 + d.box.y2) / 2, 1.5 / 16);
});

void test("score threshold is inclusive and applied after the sigmoid", () => {
  const out = emptyOutputs();
  setAnchor(out, 100, 0, [0, 0, 20, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(decodeBlazeFace(out, 256, { scoreThreshold: 0.5, iouThreshold: 0.3 }).length, 1);
  assert.equal(decodeBlazeFace(out, 256, { scoreThreshold: 0.6, iouThreshold: 0.3 }).length, 0);
});

void test("overlapping candidates are suppressed and huge logits stay finite", () => {
  const out = emptyOutputs();
  const reg = [0, 0, 30, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  setAnchor(out, 512, 1e9, reg);
  setAnchor(out, 513, 2, reg);
  setAnchor(out, 0, Number.NaN, reg);
  const dets = decodeBlazeFace(out, 256, { scoreThreshold: 0.5, iouThreshold: 0.3 });
  assert.equal(dets.length, 1);
  assert.equal(dets[0]!.score, 1);
});

void test("wrong output lengths are rejected", () => {
  const out = emptyOutputs();
  out.regressors[1] = new Float32Array(384);
  const opts = { scoreThreshold: 0.5, iouThreshold: 0.3 };
  assert.throws(() => decodeBlazeFace(out, 256, opts), RangeError);
});

// Deterministic filler so one fast-check seed drives ~15k values cheaply.
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

void test("every decoded face meets the threshold, respects maxFaces and is sorted", () => {
  fc.assert(
    fc.property(
      fc.integer(),
      fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
      fc.constantFrom(128 as const, 256 as const),
      (seed, scoreThreshold, maxFaces, size) => {
        const rnd = mulberry32(seed);
        const out = emptyOutputs();
        for (const s of out.scores) for (let i = 0; i < s.length; i++) s[i] = rnd() * 16 - 10;
        for (const r of out.regressors) {
          for (let i = 0; i < r.length; i++) r[i] = (rnd() - 0.3) * 60;
        }
        const dets = decodeBlazeFace(out, size, { scoreThreshold, iouThreshold: 0.3, maxFaces });
        if (maxFaces !== undefined) assert.ok(dets.length <= maxFaces);
        for (const [i, d] of dets.entries()) {
          assert.ok(d.score >= scoreThreshold);
          assert.ok(d.box.x2 > d.box.x1 && d.box.y2 > d.box.y1);
          if (i > 0) assert.ok(dets[i - 1]!.score >= d.score);
        }
      },
    ),
    { numRuns: 60 },
  );
});
