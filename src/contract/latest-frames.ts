/**
 * The newest frame of each camera as the camera sent it (JPEG): what incident snapshots are cut
 * from. Ingest implements it; analytics only reads.
 */
export interface LatestFrames {
  latestJpeg(cameraId: string): { readonly jpeg: Buffer; readonly capturedAt: number } | undefined;
}
