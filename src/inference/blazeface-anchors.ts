// MediaPipe's SSD anchor layout for BlazeFace: both models see a 16x16 grid with 2 anchors per
// cell and then an 8x8 grid with 6 per cell (strides 8/16 at 128 px, 16/32 at 256 px).
// Anchors are fixed-size, so only centres matter. Order is row, column, anchor-in-cell, which
// is the order of the model's concatenated outputs.
const LAYERS = [
  { grid: 16, perCell: 2 },
  { grid: 8, perCell: 6 },
] as const;

export const BLAZEFACE_ANCHOR_COUNT = 896;

/** Interleaved (cx, cy) pairs normalised to the model input; a fresh array on every call. */
export function blazeFaceAnchors(inputSize: 128 | 256): Float32Array {
  // The layout is identical at both sizes because each model's strides scale with its input;
  // the argument is checked so a wrong model size fails loudly instead of decoding garbage.
  if (inputSize !== 128 && inputSize !== 256) {
    throw new RangeError(`BlazeFace input size must be 128 or 256, got ${String(inputSize)}`);
  }
  const out = new Float32Array(BLAZEFACE_ANCHOR_COUNT * 2);
  let k = 0;
  for (const { grid, perCell } of LAYERS) {
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        for (let a = 0; a < perCell; a++) {
          out[k++] = (x + 0.5) / grid;
          out[k++] = (y + 0.5) / grid;
        }
      }
    }
  }
  return out;
}
