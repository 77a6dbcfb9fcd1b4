/**
 * Cheap motion measure on a small grey grid. Pure functions: the gate keeps the state.
 *
 * The grid is sampled from the detection frame the camera's ffmpeg already delivers, not from a
 * third ffmpeg output: a third output costs a scale filter and a pipe per camera in ffmpeg, while
 * sampling 3x3 pixels per cell of a 64x64 grid reads ~37k pixels, a fraction of a millisecond.
 */

/** A region of motion, normalised (0..1) to the frame it was measured on (the detector input). */
export interface MotionRegion {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Changed grid cells in the region. */
  readonly cells: number;
}

export interface GreyGrid {
  readonly width: number;
  readonly height: number;
  readonly cells: Uint8Array;
}

export interface MotionParams {
  /** Grey-level difference of a cell from the background that counts as changed. */
  readonly threshold: number;
  /** Changed fraction of the grid that counts as motion. */
  readonly minArea: number;
}

export interface MotionMeasure {
  /** Changed fraction of the grid, 0..1. */
  readonly score: number;
  readonly moving: boolean;
  readonly regions: readonly MotionRegion[];
}

export const GRID_SIZE = 64;
const SAMPLES = 3;

/** The grid for a frame: at most 64x64 cells, never more cells than pixels. */
export function gridSize(width: number, height: number): { width: number; height: number } {
  return { width: Math.min(GRID_SIZE, width), height: Math.min(GRID_SIZE, height) };
}

/** Mean luma of up to 3x3 pixels spread over each cell of an rgb24 frame. */
export function greyGrid(rgb: Uint8Array, width: number, height: number): GreyGrid {
  const g = gridSize(width, height);
  const cells = new Uint8Array(g.width * g.height);
  for (let gy = 0; gy < g.height; gy++) {
    const y0 = Math.floor((gy * height) / g.height);
    const y1 = Math.floor(((gy + 1) * height) / g.height);
    for (let gx = 0; gx < g.width; gx++) {
      const x0 = Math.floor((gx * width) / g.width);
      const x1 = Math.floor(((gx + 1) * width) / g.width);
      let sum = 0;
      let n = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        const y = y0 + Math.floor(((y1 - y0) * (2 * sy + 1)) / (2 * SAMPLES));
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = x0 + Math.floor(((x1 - x0) * (2 * sx + 1)) / (2 * SAMPLES));
          const p = (y * width + x) * 3;
          // BT.601 luma in integers.
          sum += ((rgb[p] ?? 0) * 77 + (rgb[p + 1] ?? 0) * 150 + (rgb[p + 2] ?? 0) * 29) >> 8;
          n++;
        }
      }
      cells[gy * g.width + gx] = Math.round(sum / n);
    }
  }
  return { width: g.width, height: g.height, cells };
}

/**
 * The background after one more frame: a running average, so slow light changes fade in while a
 * person walking through stays different from it. A new grid size starts a new background.
 */
export function blendBackground(background: Float32Array | undefined, grid: GreyGrid, alpha: number): Float32Array {
  const next = new Float32Array(grid.cells.length);
  if (!background || background.length !== grid.cells.length) {
    next.set(grid.cells);
    return next;
  }
  for (let i = 0; i < next.length; i++) {
    const b = background[i] as number;
    next[i] = b + alpha * ((grid.cells[i] as number) - b);
  }
  return next;
}

/** Changed cells, their share of the grid, and the bounding boxes of their connected groups. */
export function measureMotion(background: Float32Array | undefined, grid: GreyGrid, p: MotionParams): MotionMeasure {
  if (!background || background.length !== grid.cells.length) return { score: 0, moving: false, regions: [] };
  const mask = new Uint8Array(grid.cells.length);
  let changed = 0;
  for (let i = 0; i < mask.length; i++) {
    if (Math.abs((grid.cells[i] as number) - (background[i] as number)) >= p.threshold) {
      mask[i] = 1;
      changed++;
    }
  }
  const score = changed / mask.length;
  const moving = changed > 0 && score >= p.minArea;
  return { score, moving, regions: moving ? motionRegions(mask, grid.width, grid.height) : [] };
}

/** Bounding boxes of 8-connected groups of set cells, normalised to the grid, largest first. */
export function motionRegions(mask: Uint8Array, width: number, height: number): MotionRegion[] {
  const seen = new Uint8Array(mask.length);
  const regions: MotionRegion[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    let minX = width,
      minY = height,
      maxX = -1,
      maxY = -1,
      cells = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const x = i % width;
      const y = (i - x) / width;
      cells++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    regions.push({ x1: minX / width, y1: minY / height, x2: (maxX + 1) / width, y2: (maxY + 1) / height, cells });
  }
  return regions.sort((a, b) => b.cells - a.cells);
}
