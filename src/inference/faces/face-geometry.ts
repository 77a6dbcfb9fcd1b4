import type { Detection } from "../../contract/detection.js";
import type { Letterbox } from "../../core/letterbox.js";
import type { Point } from "../../core/geometry.js";

/**
 * Where the source frame sits inside an image: letterboxed (the detector's input, a decoded
 * photo), or filling it. Detections are normalised to the source frame; alignment needs pixels.
 */
export type ImagePlacement =
  | { readonly kind: "letterbox"; readonly lb: Letterbox }
  | { readonly kind: "fill"; readonly width: number; readonly height: number };

/**
 * Source-normalised point -> pixel coordinates of the image, with pixel centres on integers (the
 * convention the alignment template uses; a normalised 0..1 spans the pixels' outer edges).
 */
export function toImagePixels(p: Point, placement: ImagePlacement): Point {
  if (placement.kind === "fill") return { x: p.x * placement.width - 0.5, y: p.y * placement.height - 0.5 };
  const { lb } = placement;
  return { x: p.x * lb.scaledWidth + lb.padX - 0.5, y: p.y * lb.scaledHeight + lb.padY - 0.5 };
}

/** A face's width in the image's pixels. */
export function faceWidthPx(d: Detection, placement: ImagePlacement): number {
  const w = placement.kind === "fill" ? placement.width : placement.lb.scaledWidth;
  return (d.box.x2 - d.box.x1) * w;
}

/**
 * The faces worth recognising: with the four alignment keypoints, at least `minPx` wide, the
 * largest `max` of them (a crowd must not multiply the per-frame cost). Pure.
 */
export function selectFaces(
  detections: readonly Detection[],
  placement: ImagePlacement,
  minPx: number,
  max: number,
): Detection[] {
  return detections
    .filter((d) => d.label === "face" && (d.keypoints?.length ?? 0) >= 4 && faceWidthPx(d, placement) >= minPx)
    .sort((a, b) => faceWidthPx(b, placement) - faceWidthPx(a, placement))
    .slice(0, max);
}
