// The motion measure: a still scene shows none, a moved block is found where it moved.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { blendBackground, greyGrid, measureMotion, motionRegions } from "../../src/ingest/motion.js";

const W = 160;
const H = 120;
const params = { threshold: 20, minArea: 0.002 };

/** A textured rgb frame (seeded noise), with an optional bright block. */
function frame(seed: number, block?: { x: number; y: number; w: number; h: number }): Buffer {
  const rgb = Buffer.alloc(W * H * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < W * H; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const v = 40 + ((s >>> 24) % 80);
    rgb[i * 3] = v;
    rgb[i * 3 + 1] = v;
    rgb[i * 3 + 2] = v;
  }
  if (block) {
    for (let y = block.y; y < Math.min(H, block.y + block.h); y++) {
      for (let x = block.x; x < Math.min(W, block.x + block.w); x++)
        rgb.fill(250, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  return rgb;
}

const blockArb = fc.record({
  x: fc.integer({ min: 0, max: W - 24 }),
  y: fc.integer({ min: 0, max: H - 24 }),
  w: fc.integer({ min: 16, max: 40 }),
  h: fc.integer({ min: 16, max: 40 }),
});

void describe("motion measure", () => {
  void it("identical frames show no motion, however long the scene stays still", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.option(blockArb, { nil: undefined }),
        fc.integer({ min: 1, max: 6 }),
        (seed, block, n) => {
          const grid = greyGrid(frame(seed, block), W, H);
          let bg = blendBackground(undefined, grid, 0.05);
          for (let k = 0; k < n; k++) {
            const m = measureMotion(bg, grid, params);
            assert.equal(m.score, 0);
            assert.equal(m.moving, false);
            assert.deepEqual(m.regions, []);
            bg = blendBackground(bg, grid, 0.05);
          }
        },
      ),
    );
  });

  void it("a block that appears is motion, and a region covers it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), blockArb, (seed, block) => {
        const bg = blendBackground(undefined, greyGrid(frame(seed), W, H), 0.05);
        const m = measureMotion(bg, greyGrid(frame(seed, block), W, H), params);
        assert.equal(m.moving, true);
        assert.ok(m.score > 0);
        const [x1, y1, x2, y2] = [
          block.x / W,
          block.y / H,
          Math.min(W, block.x + block.w) / W,
          Math.min(H, block.y + block.h) / H,
        ];
        // Grid cells are W/64 wide: the region may overhang the block by one cell, never miss it by more.
        const cw = 1 / 64 + 1e-9;
        assert.ok(
          m.regions.some((r) => r.x1 <= x1 + cw && r.y1 <= y1 + cw && r.x2 >= x2 - cw && r.y2 >= y2 - cw),
          JSON.stringify({ block, regions: m.regions }),
        );
        for (const r of m.regions)
          assert.ok(r.x1 >= 0 && r.y1 >= 0 && r.x2 <= 1 && r.y2 <= 1 && r.x1 < r.x2 && r.y1 < r.y2);
      }),
    );
  });

  void it("a change smaller than min_area is not motion", () => {
    const bg = blendBackground(undefined, greyGrid(frame(7), W, H), 0.05);
    const m = measureMotion(bg, greyGrid(frame(7, { x: 10, y: 10, w: 16, h: 16 }), W, H), {
      threshold: 20,
      minArea: 0.5,
    });
    assert.equal(m.moving, false);
    assert.ok(m.score > 0);
  });

  void it("the background absorbs a change that stays", () => {
    const still = greyGrid(frame(3), W, H);
    const moved = greyGrid(frame(3, { x: 40, y: 40, w: 40, h: 40 }), W, H);
    let bg = blendBackground(undefined, still, 0.05);
    assert.equal(measureMotion(bg, moved, params).moving, true);
    for (let k = 0; k < 120; k++) bg = blendBackground(bg, moved, 0.05);
    assert.equal(measureMotion(bg, moved, params).moving, false);
  });
});

void describe("motionRegions", () => {
  void it("separate groups give separate boxes, largest first; diagonal neighbours join", () => {
    const w = 8;
    const mask = new Uint8Array(w * w);
    for (const [x, y] of [
      [0, 0],
      [1, 1],
      [2, 2],
      [6, 6],
      [7, 6],
      [6, 7],
      [7, 7],
    ])
      mask[(y as number) * w + (x as number)] = 1;
    const r = motionRegions(mask, w, w);
    assert.equal(r.length, 2);
    assert.deepEqual(r[0], { x1: 6 / 8, y1: 6 / 8, x2: 1, y2: 1, cells: 4 });
    assert.deepEqual(r[1], { x1: 0, y1: 0, x2: 3 / 8, y2: 3 / 8, cells: 3 });
  });
});
