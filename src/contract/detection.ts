/** Normalised (0..1) box in source-frame coordinates unless a field says otherwise. */
export interface NormalizedBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export interface Detection {
  readonly label: string;
  readonly score: number;
  readonly box: NormalizedBox;
  /**
   * Landmarks in the same normalised coordinates as `box`, where the detector gives them (faces:
   * right eye, left eye, nose, mouth, right ear, left ear, the subject's sides). Not clamped.
   */
  readonly keypoints?: ReadonlyArray<{ readonly x: number; readonly y: number }>;
}

/**
 * One decoded frame (rgb24, row-major). From a camera it is at the camera's working resolution
 * (`cameras[].detect`: the source scaled uniformly, never padded), so a box normalised to the
 * frame is normalised to the source too; the detector cuts regions out of it. Inside the detector
 * a frame is a region cut to the model's input, letterboxed, with `source` the region's size.
 */
export interface Frame {
  readonly cameraId: string;
  /** Per-camera frame counter since the camera's ffmpeg started. */
  readonly index: number;
  readonly capturedAt: number;
  readonly width: number;
  readonly height: number;
  readonly rgb: Buffer;
  /** The camera stream's own size, once ffmpeg has reported it (or, for a region, the region's size: boxes map back to it). */
  readonly source: { readonly width: number; readonly height: number } | undefined;
  /** Set when the camera has motion gating on: how much moved and where, for the detector to crop into. */
  readonly motion?: FrameMotion | undefined;
}

/** Motion measured on a frame; regions are normalised (0..1) to the frame. */
export interface FrameMotion {
  /** Changed share of the frame, 0..1. */
  readonly score: number;
  /** Bounding boxes of connected motion, largest first. */
  readonly regions: ReadonlyArray<NormalizedBox & { readonly cells: number }>;
}

/** A part of a frame the detector ran on, normalised (0..1) to the frame. */
export interface FrameRegion {
  /** `crop`: a square at near-native pixels; `full`: the whole frame, letterboxed. */
  readonly kind: "crop" | "full";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DetectionResult {
  readonly cameraId: string;
  readonly frameIndex: number;
  readonly capturedAt: number;
  readonly detections: readonly Detection[];
  readonly inferenceMs: number;
  /** The inference provider that ran this frame (cpu, cuda, ...). */
  readonly provider?: string | undefined;
  /** Where the detector looked; none: nothing moved, nothing was tracked and no full pass was due. */
  readonly regions?: readonly FrameRegion[] | undefined;
}
