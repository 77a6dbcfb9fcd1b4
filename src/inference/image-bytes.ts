/**
 * rgb24 frames (HWC bytes, as ffmpeg writes them) -> a model's uint8 image input in its layout and
 * channel order. The float arithmetic happens inside the model (convert/uint8-input.ts), so this
 * only moves bytes.
 */
export interface ImageLayout {
  readonly layout: "NCHW" | "NHWC";
  readonly color: "RGB" | "BGR";
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export function rgbToImageBytes(rgb: Uint8Array, out: Uint8Array, to: ImageLayout): Uint8Array {
  if (rgb.length !== out.length || rgb.length % 3 !== 0) throw new RangeError(`frame has ${rgb.length} bytes, the model input needs ${out.length}`);
  if (to.layout === "NHWC") {
    if (to.color === "RGB") out.set(rgb);
    else swapRedBlue(rgb, out);
    return out;
  }
  const pixels = rgb.length / 3;
  // Tensor planes for the frame's R, G and B bytes.
  const first = to.color === "RGB" ? 0 : 2 * pixels;
  const planeR = out.subarray(first, first + pixels);
  const planeG = out.subarray(pixels, 2 * pixels);
  const planeB = out.subarray(2 * pixels - first, 3 * pixels - first);
  // Four pixels are three 32-bit words; reading words is about twice as fast as reading bytes
  // (bench/preprocess.bench.ts). The byte loop takes what is left, and frames that do not start
  // on a word boundary.
  const whole = LITTLE_ENDIAN && rgb.byteOffset % 4 === 0 ? pixels - (pixels % 4) : 0;
  if (whole > 0) splitWords(new Uint32Array(rgb.buffer, rgb.byteOffset, (whole / 4) * 3), planeR, planeG, planeB);
  splitBytes(rgb, planeR, planeG, planeB, whole);
  return out;
}

// Little-endian words of four pixels: a = R0 G0 B0 R1, b = G1 B1 R2 G2, c = B2 R3 G3 B3.
function splitWords(words: Uint32Array, r: Uint8Array, g: Uint8Array, b: Uint8Array): void {
  for (let k = 0, i = 0; k < words.length; k += 3, i += 4) {
    const w0 = words[k] as number;
    const w1 = words[k + 1] as number;
    const w2 = words[k + 2] as number;
    r[i] = w0;
    g[i] = w0 >>> 8;
    b[i] = w0 >>> 16;
    r[i + 1] = w0 >>> 24;
    g[i + 1] = w1;
    b[i + 1] = w1 >>> 8;
    r[i + 2] = w1 >>> 16;
    g[i + 2] = w1 >>> 24;
    b[i + 2] = w2;
    r[i + 3] = w2 >>> 8;
    g[i + 3] = w2 >>> 16;
    b[i + 3] = w2 >>> 24;
  }
}

/** Pixels `from`.. one byte at a time: the reference the word loop is tested against. */
export function splitBytes(rgb: Uint8Array, r: Uint8Array, g: Uint8Array, b: Uint8Array, from = 0): void {
  for (let i = from, j = from * 3; i < r.length; i++, j += 3) {
    r[i] = rgb[j] as number;
    g[i] = rgb[j + 1] as number;
    b[i] = rgb[j + 2] as number;
  }
}

function swapRedBlue(rgb: Uint8Array, out: Uint8Array): void {
  for (let j = 0; j < rgb.length; j += 3) {
    out[j] = rgb[j + 2] as number;
    out[j + 1] = rgb[j + 1] as number;
    out[j + 2] = rgb[j] as number;
  }
}
