import type { Frame, NormalizedBox } from "../../contract/detection.js";
import type { PixelRect } from "./region-plan.js";

/** A box the detector reported lately, frame-normalised, and when. */
export interface TrackedBox {
  readonly box: NormalizedBox;
  readonly seenAt: number;
}

/**
 * How far around a tracked box its region reaches, as a share of the box per side: a walking
 * person moves a fraction of their height between frames at 5 fps, and a region that cuts them
 * off finds half a person.
 */
const TRACK_MARGIN = 0.25;
/** Around a motion region, in grid cells of the 64x64 motion grid: its edges are a cell coarse. */
const MOTION_MARGIN_CELLS = 1;
const MOTION_GRID = 64;

function grow(b: NormalizedBox, mx: number, my: number, width: number, height: number): PixelRect {
  const x1 = Math.max(0, (b.x1 - mx) * width);
  const y1 = Math.max(0, (b.y1 - my) * height);
  const x2 = Math.min(width, (b.x2 + mx) * width);
  const y2 = Math.min(height, (b.y2 + my) * height);
  return { x: x1, y: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) };
}

/** What the regions must cover in this frame, in its pixels: what moved and what was seen lately. Pure. */
export function interestBoxes(
  frame: Pick<Frame, "width" | "height" | "motion">,
  tracked: readonly TrackedBox[],
): PixelRect[] {
  const { width, height } = frame;
  const cell = MOTION_MARGIN_CELLS / MOTION_GRID;
  const moving = (frame.motion?.regions ?? []).map((r) => grow(r, cell, cell, width, height));
  const seen = tracked.map((t) =>
    grow(t.box, (t.box.x2 - t.box.x1) * TRACK_MARGIN, (t.box.y2 - t.box.y1) * TRACK_MARGIN, width, height),
  );
  return [...seen, ...moving].filter((r) => r.width > 0 && r.height > 0);
}
