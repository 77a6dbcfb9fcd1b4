import type { NormalizedBox } from "./detection.js";

/** One face the recogniser compared with the watchlist. */
export interface RecognisedFace {
  /** Source-frame normalised, as detections are. */
  readonly box: NormalizedBox;
  /** Detector confidence. */
  readonly score: number;
  /** The watchlist person it matched, or null for a face that matches nobody. */
  readonly identity: { readonly person_id: string; readonly name: string } | null;
  /** Cosine similarity to the nearest enrolled person (-1 when the watchlist is empty). */
  readonly similarity: number;
  /** The threshold that decided: the matched person's own, else the global one. */
  readonly threshold: number;
}

/**
 * The `faces` fact on the event bus: the recognised faces of one analysed frame. Emitted only for
 * frames with at least one face worth reporting (a match; or, with faces.unknown_alert, any face).
 */
export interface FacesFact {
  readonly cameraId: string;
  readonly frameIndex: number;
  readonly capturedAt: number;
  readonly faces: readonly RecognisedFace[];
}
