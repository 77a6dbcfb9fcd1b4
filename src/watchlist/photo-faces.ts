import type { Detection } from "../contract/detection.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import type { RgbImage } from "../inference/faces/face-align.js";
import type { ImagePlacement } from "../inference/faces/face-geometry.js";
import { type FaceFinder, facesInRegions } from "../inference/faces/faces-in-regions.js";
import { decodeJpegToWorkingSize, looksLikeJpeg } from "../ingest/jpeg-decoder.js";
import { DEFAULT_WORKING_MAX } from "../ingest/working-size.js";

export type { FaceFinder } from "../inference/faces/faces-in-regions.js";

export interface PhotoFaces {
  /** The photo at the working size (at most 1280 pixels a side), for alignment. */
  readonly image: RgbImage;
  readonly placement: ImagePlacement;
  readonly faces: Detection[];
}

/**
 * Finds the faces in one enrolment photo the way a camera frame's faces are found: the photo is
 * decoded at the cameras' default working size, the face model runs on it cut to the model's
 * input (here the whole photo), and alignment samples the same decoded pixels (facesInRegions).
 * `field` names the photo in errors.
 */
export async function facesInPhoto(
  jpeg: Buffer,
  finder: FaceFinder,
  field: string,
  maxSide = DEFAULT_WORKING_MAX,
): Promise<PhotoFaces> {
  if (!looksLikeJpeg(jpeg))
    throw new VigilError(ErrorCodes.VALIDATION, `${field}: not a JPEG image`, { details: { field } });
  let decoded: Awaited<ReturnType<typeof decodeJpegToWorkingSize>>;
  try {
    decoded = await decodeJpegToWorkingSize(jpeg, { maxWidth: maxSide, maxHeight: maxSide });
  } catch (err) {
    if (isVigilError(err, ErrorCodes.VALIDATION))
      throw new VigilError(ErrorCodes.VALIDATION, `${field}: ${err.message}`, { cause: err, details: { field } });
    throw err;
  }
  const image = { width: decoded.width, height: decoded.height, rgb: decoded.rgb };
  const whole = { x: 0, y: 0, width: image.width, height: image.height };
  const { faces } = await facesInRegions(image, [whole], finder, {
    cameraId: "enrolment",
    index: 0,
    capturedAt: Date.now(),
  });
  return { image, placement: { kind: "fill", width: image.width, height: image.height }, faces };
}
