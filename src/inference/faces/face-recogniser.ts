import type { Detection, Frame } from "../../contract/detection.js";
import type { RecognisedFace } from "../../contract/faces.js";
import type { GalleryPerson } from "./watchlist-matcher.js";
import { matchEmbedding } from "./watchlist-matcher.js";
import { alignFace, type RgbImage } from "./face-align.js";
import { type ImagePlacement, selectFaces, toImagePixels } from "./face-geometry.js";
import type { FaceTemplate } from "./face-templates.js";

/** What recognition needs from the embedder (FaceEmbedder, in the daemon). */
export interface Embedder {
  readonly modelId: string;
  /** The crop the model takes: faces are aligned onto it before embed(). */
  readonly template: FaceTemplate;
  embed(crop: Uint8Array): Promise<Float32Array>;
}

export interface FaceRecogniserOptions {
  readonly matchThreshold: number;
  /** Faces narrower than this in the analysed frame are skipped. */
  readonly minFacePx: number;
  readonly maxFacesPerFrame: number;
}

/** A camera frame at working resolution is its source, scaled uniformly: its boxes fill it. */
export function framePlacement(frame: Pick<Frame, "width" | "height">): ImagePlacement {
  return { kind: "fill", width: frame.width, height: frame.height };
}

/**
 * Align, embed and match the faces of one frame against the watchlist. Bounded: at most
 * `maxFacesPerFrame` faces (the largest), none narrower than `minFacePx`.
 */
export class FaceRecogniser {
  constructor(
    private readonly embedder: Embedder,
    private readonly gallery: () => Iterable<GalleryPerson>,
    private readonly options: FaceRecogniserOptions,
  ) {}

  async recognise(
    image: RgbImage,
    placement: ImagePlacement,
    detections: readonly Detection[],
  ): Promise<RecognisedFace[]> {
    const faces = selectFaces(detections, placement, this.options.minFacePx, this.options.maxFacesPerFrame);
    if (faces.length === 0) return [];
    const model = this.embedder.modelId;
    // Vectors of another model are not comparable; those persons need enrolling again.
    const people = [...this.gallery()].filter((p) => p.model === model);
    const out: RecognisedFace[] = [];
    for (const face of faces) {
      const points = (face.keypoints ?? []).slice(0, 4).map((p) => toImagePixels(p, placement));
      const { crop } = alignFace(image, points, this.embedder.template);
      const result = matchEmbedding(await this.embedder.embed(crop), people, this.options.matchThreshold);
      out.push({
        box: face.box,
        score: face.score,
        identity: result.kind === "match" ? { person_id: result.personId, name: result.name } : null,
        similarity: result.similarity,
        threshold: result.kind === "match" ? result.threshold : this.thresholdOf(people, result.nearestId),
      });
    }
    return out;
  }

  private thresholdOf(people: readonly GalleryPerson[], id: string | null): number {
    return people.find((p) => p.id === id)?.threshold ?? this.options.matchThreshold;
  }
}
