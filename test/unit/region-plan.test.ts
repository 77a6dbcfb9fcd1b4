// Region planning: which squares of a working-resolution frame the detector runs on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type PixelRect, planRegions, type Region, regionSides } from "../../src/inference/regions/region-plan.js";

const frameArb = fc.record({
  frameWidth: fc.integer({ min: 64, max: 3840 }),
  frameHeight: fc.integer({ min: 64, max: 2160 }),
  modelSize: fc.constantFrom(128, 256, 320, 416, 640),
});
const inputArb = frameArb.chain((f) =>
  fc.record({
    frameWidth: fc.constant(f.frameWidth),
    frameHeight: fc.constant(f.frameHeight),
    modelSize: fc.constant(f.modelSize),
    boxes: fc.array(
      fc.record({
        x: fc.integer({ min: 0, max: f.frameWidth - 1 }),
        y: fc.integer({ min: 0, max: f.frameHeight - 1 }),
        width: fc.integer({ min: 1, max: f.frameWidth }),
        height: fc.integer({ min: 1, max: f.frameHeight }),
      }),
      { maxLength: 12 },
    ),
    maxRegions: fc.integer({ min: 1, max: 8 }),
    maxScale: fc.double({ min: 1, max: 4, noNaN: true }),
    fullFrame: fc.boolean(),
  }),
);

const inside = (box: PixelRect, r: PixelRect): boolean =>
  box.x >= r.x && box.y >= r.y && box.x + box.width <= r.x + r.width && box.y + box.height <= r.y + r.height;
const overlaps = (a: PixelRect, b: PixelRect): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
/** The box as the planner sees it: clipped to the frame, integer pixels. */
function clipped(b: PixelRect, w: number, h: number): PixelRect {
  const x1 = Math.max(0, Math.floor(b.x));
  const y1 = Math.max(0, Math.floor(b.y));
  return {
    x: x1,
    y: y1,
    width: Math.min(w, Math.ceil(b.x + b.width)) - x1,
    height: Math.min(h, Math.ceil(b.y + b.height)) - y1,
  };
}

void describe("planRegions", () => {
  void it("covers every box: each lies inside a crop, or the frame has its whole-frame pass", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const regions = planRegions(i);
        const full = regions.some((r) => r.kind === "full");
        for (const b of i.boxes) {
          const c = clipped(b, i.frameWidth, i.frameHeight);
          assert.ok(
            full || regions.some((r) => inside(c, r)),
            `box ${JSON.stringify(c)} uncovered by ${JSON.stringify(regions)}`,
          );
        }
      }),
    );
  });

  void it("keeps regions inside the frame, square, between the model's size and the largest scale", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const { min, max } = regionSides(i);
        for (const r of planRegions(i)) {
          assert.ok(
            r.x >= 0 && r.y >= 0 && r.x + r.width <= i.frameWidth && r.y + r.height <= i.frameHeight,
            JSON.stringify(r),
          );
          assert.ok(
            Number.isInteger(r.x) && Number.isInteger(r.y) && Number.isInteger(r.width) && Number.isInteger(r.height),
          );
          if (r.kind === "crop") {
            assert.equal(r.width, r.height);
            assert.ok(r.width >= min && r.width <= max, `${r.width} not in [${min}, ${max}]`);
          }
        }
      }),
    );
  });

  void it("never exceeds the cap, and runs the whole frame when it is due", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const regions = planRegions(i);
        assert.ok(regions.length <= i.maxRegions, `${regions.length} > ${i.maxRegions}`);
        if (i.fullFrame) assert.ok(regions.some((r) => r.kind === "full"));
        assert.ok(regions.filter((r) => r.kind === "full").length <= 1);
      }),
    );
  });

  void it("no needless overlap: two crops that overlap could not be merged into one allowed square", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const { max } = regionSides(i);
        const crops = planRegions(i).filter((r): r is Region => r.kind === "crop");
        for (let a = 0; a < crops.length; a++) {
          for (let b = a + 1; b < crops.length; b++) {
            const ra = crops[a] as Region;
            const rb = crops[b] as Region;
            assert.ok(!inside(ra, rb) && !inside(rb, ra), `one region inside another: ${JSON.stringify([ra, rb])}`);
            if (overlaps(ra, rb)) {
              const span = Math.max(
                Math.max(ra.x + ra.width, rb.x + rb.width) - Math.min(ra.x, rb.x),
                Math.max(ra.y + ra.height, rb.y + rb.height) - Math.min(ra.y, rb.y),
              );
              assert.ok(span > max, `overlapping ${JSON.stringify([ra, rb])} fit in ${max}`);
            }
          }
        }
      }),
    );
  });

  void it("puts distant people in a 1280x720 frame into native-scale crops", () => {
    const people = [
      { x: 100, y: 300, width: 30, height: 80 },
      { x: 160, y: 320, width: 28, height: 75 },
      { x: 1000, y: 200, width: 25, height: 70 },
    ];
    const regions = planRegions({
      frameWidth: 1280,
      frameHeight: 720,
      modelSize: 416,
      boxes: people,
      maxRegions: 4,
      maxScale: 2,
      fullFrame: false,
    });
    assert.deepEqual(
      regions.map((r) => [r.kind, r.width]),
      [
        ["crop", 416],
        ["crop", 416],
      ],
    );
  });

  void it("with nothing moving, tracked or due, plans no model run", () => {
    assert.deepEqual(
      planRegions({
        frameWidth: 1280,
        frameHeight: 720,
        modelSize: 416,
        boxes: [],
        maxRegions: 4,
        maxScale: 2,
        fullFrame: false,
      }),
      [],
    );
  });

  void it("a box larger than the largest crop goes to the whole-frame pass", () => {
    const regions = planRegions({
      frameWidth: 1920,
      frameHeight: 1080,
      modelSize: 416,
      boxes: [{ x: 0, y: 0, width: 1500, height: 900 }],
      maxRegions: 4,
      maxScale: 2,
      fullFrame: false,
    });
    assert.deepEqual(regions, [{ kind: "full", x: 0, y: 0, width: 1920, height: 1080 }]);
  });

  void it("a frame smaller than the model is cut into squares as large as it allows", () => {
    const regions = planRegions({
      frameWidth: 640,
      frameHeight: 360,
      modelSize: 416,
      boxes: [{ x: 10, y: 10, width: 20, height: 40 }],
      maxRegions: 4,
      maxScale: 2,
      fullFrame: false,
    });
    assert.deepEqual(regions, [{ kind: "crop", x: 0, y: 0, width: 360, height: 360 }]);
  });
});
