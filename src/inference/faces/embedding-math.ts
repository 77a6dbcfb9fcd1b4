/** Vector maths for face embeddings. Pure. */

/** Scales `v` to unit length in place; a zero or non-finite vector is refused (it matches nothing). */
export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] as number) ** 2;
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError("embedding has no direction (zero or not finite)");
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
  return v;
}

/** Cosine similarity of two vectors of equal length (-1..1); for unit vectors it is the dot product. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`embeddings differ in length: ${a.length} and ${b.length}`);
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  const d = Math.sqrt(na * nb);
  return d > 0 ? Math.max(-1, Math.min(1, dot / d)) : 0;
}
