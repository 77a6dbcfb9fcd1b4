import { cosineSimilarity } from "./embedding-math.js";

/** One enrolled person as matching needs it: decrypted embeddings and an optional own threshold. */
export interface GalleryPerson {
  readonly id: string;
  readonly name: string;
  /** Overrides the global threshold for this person (stricter for look-alikes, looser for poor photos). */
  readonly threshold: number | null;
  /** The embedding model the vectors came from; another model's vectors are not comparable. */
  readonly model: string;
  readonly embeddings: readonly Float32Array[];
}

export type MatchResult =
  | {
      readonly kind: "match";
      readonly personId: string;
      readonly name: string;
      readonly similarity: number;
      readonly threshold: number;
    }
  | { readonly kind: "unknown"; readonly similarity: number; readonly nearestId: string | null };

/**
 * Best match of one probe embedding against the gallery. A person's score is the best cosine
 * similarity over their embeddings (several photos cover several poses); the person with the
 * highest score wins if that score reaches their threshold (their own, else the global one).
 * Anything else is unknown, with the nearest score kept for tuning. Pure.
 */
export function matchEmbedding(
  probe: Float32Array,
  gallery: Iterable<GalleryPerson>,
  globalThreshold: number,
): MatchResult {
  let best: { person: GalleryPerson; similarity: number } | undefined;
  for (const person of gallery) {
    let score = -Infinity;
    for (const e of person.embeddings) score = Math.max(score, cosineSimilarity(probe, e));
    if (score > (best?.similarity ?? -Infinity)) best = { person, similarity: score };
  }
  if (!best) return { kind: "unknown", similarity: -1, nearestId: null };
  const threshold = best.person.threshold ?? globalThreshold;
  if (best.similarity >= threshold)
    return { kind: "match", personId: best.person.id, name: best.person.name, similarity: best.similarity, threshold };
  return { kind: "unknown", similarity: best.similarity, nearestId: best.person.id };
}
