/**
 * IEEE 754 half -> single precision. TF.js "float16" quantisation stores weights as halves; ONNX
 * Runtime wants float32, and every half is exactly representable in single precision, so the
 * widening is lossless.
 */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (and signed zero)
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

export function widenFloat16(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = float16ToFloat32(halves[i] ?? 0);
  return out;
}
