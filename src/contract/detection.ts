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

/** One decoded, letterboxed frame at the detector's input size (rgb24, row-major). */
export interface Frame {
  readonly cameraId: string;
  /** Per-camera frame counter since the camera's ffmpeg started. */
  readonly index: number;
  readonly capturedAt: number;
  readonly width: number;
  readonly height: number;
  readonly rgb: Buffer;
  /** Source stream size, once ffmpeg has reported it; needed to map boxes back. */
  readonly source: { readonly width: number; readonly height: number } | undefined;
}

export interface DetectionResult {
  readonly cameraId: string;
  readonly frameIndex: number;
  readonly capturedAt: number;
  readonly detections: readonly Detection[];
  readonly inferenceMs: number;
  /** The inference provider that ran this frame (cpu, cuda, ...). */
  readonly provider?: string | undefined;
}
