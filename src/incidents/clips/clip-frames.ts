import { spawn } from "node:child_process";
import { JpegStreamSplitter } from "../../ingest/jpeg-stream.js";

/**
 * `count` small JPEG frames taken evenly across a clip, for the evidence report's strip. Decodes
 * only the frames it keeps' neighbourhood (one seek each): a fraction of a second per clip.
 */
export async function clipFrames(path: string, durationS: number, count = 6, width = 320, timeoutMs = 30_000): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = (durationS * (i + 0.5)) / count;
    const jpegs = await new Promise<Buffer[]>((resolve) => {
      const out: Buffer[] = [];
      const splitter = new JpegStreamSplitter((j) => out.push(j));
      const child = spawn("ffmpeg", ["-nostdin", "-loglevel", "error", "-ss", at.toFixed(3), "-i", path, "-frames:v", "1", "-vf", `scale=${width}:-2`, "-c:v", "mjpeg", "-q:v", "5", "-f", "image2pipe", "pipe:1"], { stdio: ["ignore", "pipe", "ignore"] });
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.stdout.on("data", (d: Buffer) => splitter.push(d));
      child.on("close", () => {
        clearTimeout(timer);
        resolve(out);
      });
      child.on("error", () => resolve(out));
    });
    if (jpegs[0]) frames.push(jpegs[0]);
  }
  return frames;
}
