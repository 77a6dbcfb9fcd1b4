import { type Static, Type } from "@sinclair/typebox";

export const PERSON_ID_PATTERN = "^wl_[a-z0-9]{16}$";

/** What is stored about an enrolled person besides the (encrypted) embeddings. */
export const PersonRecordSchema = Type.Object({
  id: Type.String({ pattern: PERSON_ID_PATTERN }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  threshold: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  notes: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
  created_by: Type.String(),
  created_at: Type.String(),
  /** The embedding model the vectors came from: vectors of another model are not comparable. */
  model: Type.String(),
  embeddings: Type.Integer({ minimum: 1 }),
});

export type PersonRecord = Static<typeof PersonRecordSchema>;

/** Keys in the `watchlist` sublevel: a person's record, and each of their sealed embeddings. */
export const personKey = (id: string): string => `p:${id}`;
export const embeddingKey = (id: string, slot: number): string => `e:${id}:${String(slot).padStart(3, "0")}`;
/** Bound into each embedding's ciphertext (GCM additional data). */
export const embeddingAad = (id: string, slot: number, model: string): string => `${id}/${slot}/${model}`;
