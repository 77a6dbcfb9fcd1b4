import { execFile } from "node:child_process";

/**
 * `count` small JPEG frames taken evenly across a clip, for the evidence report's strip. One
 * ffmpeg per frame, seeking to it: a fraction of a second per clip, whatever its length.
 */
export async function clipFrames(
  path: string,
  durationS: number,
  count = 6,
  width = 320,
  timeoutMs = 30_000,
): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = (durationS * (i + 0.5)) / count;
    const jpeg = await new Promise<Buffer | undefined>((resolve) => {
      execFile(
        "ffmpeg",
        [
          "-nostdin",
          "-loglevel",
          "error",
          "-ss",
          at.toFixed(3),
          "-i",
          path,
          "-frames:v",
          "1",
          "-vf",
          `scale=${width}:-2`,
          "-c:v",
          "mjpeg",
          "-q:v",
          "5",
          "-f",
          "image2pipe",
          "pipe:1",
        ],
        { encoding: "buffer", maxBuffer: 8 * 1024 * 1024, timeout: timeoutMs },
        (err, stdout) =>
          resolve(err || stdout.length < 4 || stdout[0] !== 0xff || stdout[1] !== 0xd8 ? undefined : stdout),
      );
    });
    if (jpeg) frames.push(jpeg);
  }
  return frames;
}
