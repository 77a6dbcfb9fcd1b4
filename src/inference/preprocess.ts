/**
 * rgb24 bytes to the model's float input, in place into a reused buffer (a 256x256 frame is
 * 196,608 values; allocating per frame would feed the GC for nothing). NHWC layout only.
 */
export function rgbToTensorData(rgb: Uint8Array, out: Float32Array, scale: number, offset: number, bgr: boolean): Float32Array {
  if (rgb.length !== out.length) throw new RangeError(`frame has ${rgb.length} bytes, tensor needs ${out.length}`);
  if (!bgr) {
    for (let i = 0; i < rgb.length; i++) out[i] = (rgb[i] as number) * scale + offset;
    return out;
  }
  for (let i = 0; i < rgb.length; i += 3) {
    out[i] = (rgb[i + 2] as number) * scale + offset;
    out[i + 1] = (rgb[i + 1] as number) * scale + offset;
    out[i + 2] = (rgb[i] as number) * scale + offset;
  }
  return out;
}
