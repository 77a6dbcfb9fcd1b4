import type { Detection, Frame } from "../contract/detection.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import type { RgbImage } from "../inference/faces/face-align.js";
import type { ImagePlacement } from "../inference/faces/face-geometry.js";
import { decodeJpeg, looksLikeJpeg } from "../ingest/jpeg-decoder.js";
import { computeLetterbox } from "../ingest/letterbox.js";

/** The face detector as enrolment uses it (FaceDetector in the daemon). */
export interface FaceFinder {
  readonly inputWidth: number;
  readonly inputHeight: number;
  detect(frame: Frame): Promise<{ detections: Detection[] }>;
}

export interface PhotoFaces {
  /** The photo at up to `maxSide` pixels on its longer side, for alignment. */
  readonly image: RgbImage;
  readonly placement: ImagePlacement;
  readonly faces: Detection[];
}

/**
 * Finds the faces in one enrolment photo. Detection runs at the detector's input size, as on a
 * camera; alignment then samples a second, larger decode so the 112x112 crop is made from real
 * detail rather than from the detector's downscaled frame. `field` names the photo in errors.
 */
export async function facesInPhoto(jpeg: Buffer, finder: FaceFinder, field: string, maxSide = 1280): Promise<PhotoFaces> {
  if (!looksLikeJpeg(jpeg)) throw new VigilError(ErrorCodes.VALIDATION, `${field}: not a JPEG image`, { details: { field } });
  const small = await decode(jpeg, finder.inputWidth, finder.inputHeight, field);
  const source = small.source;
  if (!source) throw new VigilError(ErrorCodes.VALIDATION, `${field}: the image size could not be read`, { details: { field } });
  const frame: Frame = { cameraId: "enrolment", index: 0, capturedAt: Date.now(), width: finder.inputWidth, height: finder.inputHeight, rgb: small.rgb, source };
  const faces = (await finder.detect(frame)).detections.filter((d) => d.label === "face");
  const scale = Math.min(1, maxSide / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const large = await decode(jpeg, width, height, field);
  return { image: { width, height, rgb: large.rgb }, placement: { kind: "letterbox", lb: computeLetterbox(source.width, source.height, width, height) }, faces };
}

async function decode(jpeg: Buffer, width: number, height: number, field: string): Promise<Awaited<ReturnType<typeof decodeJpeg>>> {
  try {
    return await decodeJpeg(jpeg, width, height);
  } catch (err) {
    if (isVigilError(err, ErrorCodes.VALIDATION)) throw new VigilError(ErrorCodes.VALIDATION, `${field}: ${err.message}`, { cause: err, details: { field } });
    throw err;
  }
}
