import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Point } from "../../src/core/geometry.js";
import {
  alignFace,
  applySimilarity,
  fitSimilarity,
  invertSimilarity,
  type RgbImage,
  type Similarity,
  warpSimilarity,
} from "../../src/inference/faces/face-align.js";
import { ARCFACE_112, DLIB_150, type FaceTemplate, faceTemplate } from "../../src/inference/faces/face-templates.js";

const ARCFACE_TEMPLATE = ARCFACE_112.points;
const ALIGNED_SIZE = ARCFACE_112.size;

const similarity = fc
  .record({
    angle: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
    scale: fc.double({ min: 0.2, max: 8, noNaN: true }),
    tx: fc.double({ min: -500, max: 500, noNaN: true }),
    ty: fc.double({ min: -500, max: 500, noNaN: true }),
  })
  .map(({ angle, scale, tx, ty }): Similarity => ({ a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx, ty }));

const close = (p: Point, q: Point, eps: number): boolean => Math.abs(p.x - q.x) <= eps && Math.abs(p.y - q.y) <= eps;

/** A smooth, asymmetric test card: gradients plus a bright disc, so a wrong warp shows. */
function testCard(width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const disc = (x - width * 0.35) ** 2 + (y - height * 0.4) ** 2 < (width * 0.12) ** 2 ? 120 : 0;
      rgb[o] = Math.min(255, Math.round((x / width) * 200) + disc);
      rgb[o + 1] = Math.round((y / height) * 200);
      rgb[o + 2] = Math.round(((x + y) / (width + height)) * 255);
    }
  }
  return { width, height, rgb };
}

void describe("fitSimilarity", () => {
  void it("maps the template onto itself with the identity", () => {
    const t = fitSimilarity(ARCFACE_TEMPLATE, ARCFACE_TEMPLATE);
    assert.ok(
      Math.abs(t.a - 1) < 1e-12 && Math.abs(t.b) < 1e-12 && Math.abs(t.tx) < 1e-9 && Math.abs(t.ty) < 1e-9,
      JSON.stringify(t),
    );
  });

  void it("maps the template's image under any similarity back to the template", () => {
    fc.assert(
      fc.property(similarity, (t) => {
        const seen = ARCFACE_TEMPLATE.map((p) => applySimilarity(t, p));
        const fit = fitSimilarity(seen, ARCFACE_TEMPLATE);
        return seen.every((p, i) => close(applySimilarity(fit, p), ARCFACE_TEMPLATE[i] as Point, 1e-6));
      }),
    );
  });

  void it("recovers the inverse of the transform that moved the points", () => {
    fc.assert(
      fc.property(similarity, (t) => {
        const fit = fitSimilarity(
          ARCFACE_TEMPLATE.map((p) => applySimilarity(t, p)),
          ARCFACE_TEMPLATE,
        );
        const inv = invertSimilarity(t);
        return (
          Math.abs(fit.a - inv.a) < 1e-9 &&
          Math.abs(fit.b - inv.b) < 1e-9 &&
          Math.abs(fit.tx - inv.tx) < 1e-6 &&
          Math.abs(fit.ty - inv.ty) < 1e-6
        );
      }),
    );
  });

  void it("is the least-squares fit: noise moves the fit less than it moves the points", () => {
    const noisy = ARCFACE_TEMPLATE.map((p, i) => ({ x: p.x + (i % 2 === 0 ? 1 : -1), y: p.y + (i < 2 ? 1 : -1) }));
    const fit = fitSimilarity(noisy, ARCFACE_TEMPLATE);
    const residual = noisy.reduce((s, p, i) => {
      const q = applySimilarity(fit, p);
      const r = ARCFACE_TEMPLATE[i] as Point;
      return s + (q.x - r.x) ** 2 + (q.y - r.y) ** 2;
    }, 0);
    // The identity's residual is 8 (each point off by 1 in x and y); the fit must do no worse.
    assert.ok(residual <= 8 + 1e-9, `residual ${residual}`);
  });

  void it("refuses degenerate input", () => {
    assert.throws(
      () =>
        fitSimilarity(
          [
            { x: 1, y: 1 },
            { x: 1, y: 1 },
          ],
          ARCFACE_TEMPLATE.slice(0, 2),
        ),
      RangeError,
    );
    assert.throws(() => fitSimilarity(ARCFACE_TEMPLATE, ARCFACE_TEMPLATE.slice(0, 3)), RangeError);
  });
});

void describe("warpSimilarity", () => {
  void it("with the identity copies the top-left 112x112 of the image", () => {
    const card = testCard(160, 140);
    const crop = warpSimilarity(card, { a: 1, b: 0, tx: 0, ty: 0 }, ALIGNED_SIZE);
    for (const [x, y] of [
      [0, 0],
      [50, 20],
      [111, 111],
    ] as const) {
      for (let c = 0; c < 3; c++) assert.equal(crop[(y * ALIGNED_SIZE + x) * 3 + c], card.rgb[(y * 160 + x) * 3 + c]);
    }
  });

  void it("fills what lies outside the image with black", () => {
    const crop = warpSimilarity(testCard(50, 50), { a: 1, b: 0, tx: 0, ty: 0 }, ALIGNED_SIZE);
    assert.deepEqual([...crop.subarray((100 * ALIGNED_SIZE + 100) * 3, (100 * ALIGNED_SIZE + 100) * 3 + 3)], [0, 0, 0]);
  });
});

void describe("alignFace", () => {
  // Keypoints where a face might be in a 400x300 frame, rotated and scaled by a random similarity:
  // the aligned crop must be the same whatever the pose the face had in the frame.
  void it("gives the same crop for a rotated and scaled copy of the frame (rotation/scale invariance)", () => {
    const card = testCard(400, 300);
    const keypoints: Point[] = [
      { x: 170, y: 130 },
      { x: 230, y: 128 },
      { x: 200, y: 165 },
      { x: 201, y: 200 },
    ];
    const reference = alignFace(card, keypoints, ARCFACE_112).crop;
    fc.assert(
      fc.property(
        fc.double({ min: -0.6, max: 0.6, noNaN: true }),
        fc.double({ min: 0.8, max: 1.6, noNaN: true }),
        (angle, scale) => {
          // Rotate/scale about the frame centre into a bigger canvas so nothing is cut off.
          const size = 700;
          const a = scale * Math.cos(angle),
            b = scale * Math.sin(angle);
          const t: Similarity = { a, b, tx: size / 2 - (a * 200 - b * 150), ty: size / 2 - (b * 200 + a * 150) };
          const moved: RgbImage = { width: size, height: size, rgb: warpSimilarity(card, t, size) };
          const crop = alignFace(
            moved,
            keypoints.map((p) => applySimilarity(t, p)),
            ARCFACE_112,
          ).crop;
          let diff = 0;
          for (let i = 0; i < crop.length; i++) diff += Math.abs((crop[i] as number) - (reference[i] as number));
          // Two bilinear resamplings blur a little: a few grey levels on average, never a shift.
          return diff / crop.length < 4;
        },
      ),
      { numRuns: 15 },
    );
  });

  for (const template of [ARCFACE_112, DLIB_150]) {
    void it(`puts the eyes where the ${template.size}x${template.size} template has them, in a crop of its size`, () =>
      eyesOnTemplate(template));
  }
});

/**
 * A frame with dark discs as eyes, posed by a known similarity (tilted, 1.7x): after alignment
 * the discs sit on the template's eye points.
 */
function eyesOnTemplate(template: FaceTemplate): void {
  const w = 400,
    h = 400;
  const size = template.size;
  const pose: Similarity = { a: 1.7 * Math.cos(0.3), b: 1.7 * Math.sin(0.3), tx: 60, ty: 20 };
  const keypoints = template.points.map((p) => applySimilarity(pose, p));
  const rgb = new Uint8Array(w * h * 3).fill(255);
  for (const e of keypoints.slice(0, 2)) {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if ((x - e.x) ** 2 + (y - e.y) ** 2 <= 36) rgb.fill(0, (y * w + x) * 3, (y * w + x) * 3 + 3);
  }
  const { crop, transform } = alignFace({ width: w, height: h, rgb }, keypoints, template);
  assert.equal(crop.length, size * size * 3);
  for (const i of [0, 1]) {
    const p = applySimilarity(transform, keypoints[i] as Point);
    const t = template.points[i] as Point;
    assert.ok(close(p, t, 1e-6), `eye ${i} at ${JSON.stringify(p)}, template ${JSON.stringify(t)}`);
    assert.ok((crop[(Math.round(t.y) * size + Math.round(t.x)) * 3] as number) < 64, `eye ${i} is dark in the crop`);
  }
  // And the space between the eyes is not.
  const [r, l] = template.points as [Point, Point];
  assert.ok((crop[(Math.round((r.y + l.y) / 2) * size + Math.round((r.x + l.x) / 2)) * 3] as number) > 192);
}

void describe("face templates", () => {
  void it("a model without input.align gets ArcFace's 112x112 template", () => {
    assert.equal(faceTemplate(undefined), ARCFACE_112);
    assert.equal(faceTemplate("dlib-150"), DLIB_150);
  });

  void it("dlib's 150x150 chip from its 68-point mean face agrees with its 5-point chip constants", () => {
    // get_face_chip_details() with 5 points: the eye corners p2/p3 (subject's right eye) and
    // p0/p1 (left eye), padding 0.25, size 150. Their midpoints are the eyes' centres to within
    // a pixel, so the 68-point derivation and the 5-point markup describe the same chip.
    const chip = (x: number, y: number): Point => ({ x: ((0.25 + x) / 1.5) * 150, y: ((0.25 + y) / 1.5) * 150 });
    const rightEye = chip((0.1205750620789 + 0.3340850613712) / 2, (0.2137274526848 + 0.2290642403242) / 2);
    const leftEye = chip((0.8595674595992 + 0.6460604764104) / 2, (0.2134981538014 + 0.2289674387677) / 2);
    assert.ok(close(DLIB_150.points[0] as Point, rightEye, 1), JSON.stringify([DLIB_150.points[0], rightEye]));
    assert.ok(close(DLIB_150.points[1] as Point, leftEye, 1), JSON.stringify([DLIB_150.points[1], leftEye]));
    // Nose tip below the eyes, mouth below the nose, all on the face's vertical axis.
    const [, , nose, mouth] = DLIB_150.points as [Point, Point, Point, Point];
    assert.ok(nose.y > rightEye.y + 20 && mouth.y > nose.y + 20, JSON.stringify(DLIB_150.points));
    for (const p of [nose, mouth]) assert.ok(Math.abs(p.x - 75) < 2, JSON.stringify(p));
  });
});
