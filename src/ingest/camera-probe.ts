import ffmpeg from "fluent-ffmpeg";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { withCredentials } from "./ffmpeg-args.js";
import { type ProbeInfo, probeFailureReason, probeInfoFrom } from "./camera-probe-result.js";

export type CameraProber = (url: string, credentials: string | undefined) => Promise<ProbeInfo>;

/** ffprobe's input options: RTSP over TCP with its own socket timeout, and a short analysis. */
export function probeInputOptions(url: string, timeoutMs: number): string[] {
  const isRtsp = /^rtsps?:\/\//i.test(url);
  return [
    "-v",
    "error",
    ...(isRtsp ? ["-rtsp_transport", "tcp", "-timeout", String(Math.round(timeoutMs * 1000))] : []),
    // Size and fps are in the first key frame's parameter sets: no need for ffprobe's default 5 s.
    "-analyzeduration",
    "2000000",
    "-probesize",
    "2000000",
  ];
}

/**
 * Reads a camera's codec, size and fps with ffprobe (through fluent-ffmpeg), credentials from
 * their secret file inserted into the URL. Any failure is VIGIL_E_CAMERA_PROBE_FAILED with a
 * generic reason ("connection refused", "not a video stream"; never ffprobe's text). fluent-ffmpeg does not hand out the ffprobe process, so
 * the deadline is enforced twice: ffprobe's own socket timeout ends a silent camera, and the
 * promise gives up at the deadline whatever ffprobe does.
 */
export function ffprobeCamera(timeoutMs: number): CameraProber {
  return (url, credentials) => {
    const source = url.startsWith("file://")
      ? decodeURIComponent(new URL(url).pathname)
      : withCredentials(url, credentials);
    const probe = new Promise<ProbeInfo>((resolve, reject) => {
      ffmpeg.ffprobe(
        source,
        probeInputOptions(url, timeoutMs),
        (err: Error | null, data: ffmpeg.FfprobeData | undefined) => {
          if (err || !data) {
            reject(
              new VigilError(
                ErrorCodes.CAMERA_PROBE_FAILED,
                `probe failed: ${probeFailureReason(err?.message ?? "no output")}`,
              ),
            );
            return;
          }
          const result = probeInfoFrom(data.streams, new Date());
          if (result.ok) resolve(result.info);
          else
            reject(
              new VigilError(ErrorCodes.CAMERA_PROBE_FAILED, "probe failed: not a video stream", {
                details: { reason: result.reason },
              }),
            );
        },
      );
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new VigilError(
              ErrorCodes.CAMERA_PROBE_FAILED,
              `probe failed: no answer within ${Math.round(timeoutMs / 100) / 10} s`,
            ),
          ),
        timeoutMs + 1000,
      );
    });
    return Promise.race([probe, deadline]).finally(() => clearTimeout(timer));
  };
}
