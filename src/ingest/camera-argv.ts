import type { CameraConfig, SnapshotConfig } from "../config/schema.js";
import { buildCameraArgv, type RecordingOutput, withCredentials } from "./ffmpeg-args.js";
import { workingSizeOf } from "./working-size.js";

/** The schema's defaults, for cameras built in code rather than loaded. */
export const SNAPSHOT_DEFAULTS: SnapshotConfig = { enabled: true, fps: 1, quality: 5, keyframes_only: true };

/**
 * A configured camera's ffmpeg argv. Detection reads the substream when there is one; snapshots
 * come from the main stream (`url`). The same credentials apply to both streams of a camera.
 * Pure; the argv carries the credentials, so log it only through `redactArgv`.
 */
export function cameraArgv(
  camera: CameraConfig,
  credentials: string | undefined,
  o: { socketTimeoutS: number; snapshots: boolean; recording?: RecordingOutput | undefined },
): string[] {
  // Push-only cameras have no stream; their supervisor never starts ffmpeg (camera-supervisor.ts).
  if (camera.url === undefined) throw new Error(`camera ${camera.id} has no stream url (push only)`);
  const main = withCredentials(camera.url, credentials);
  const detection = camera.substream_url === undefined ? main : withCredentials(camera.substream_url, credentials);
  const s = camera.snapshot ?? SNAPSHOT_DEFAULTS;
  const snapshot =
    o.snapshots && s.enabled ? { fps: s.fps, quality: s.quality, keyframesOnly: s.keyframes_only } : undefined;
  return buildCameraArgv({
    url: detection,
    snapshotUrl: main,
    snapshot,
    recording: o.recording,
    working: workingSizeOf(camera.detect),
    fps: camera.detect.fps,
    socketTimeoutS: o.socketTimeoutS,
    hwaccel: camera.hwaccel,
    hwaccelDevice: camera.hwaccel_device,
    hwaccelCodec: camera.hwaccel_codec,
  });
}
