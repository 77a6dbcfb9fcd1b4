import { spawn } from "node:child_process";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { parseSourceSize } from "./ffmpeg-args.js";
import { letterboxFilter } from "../core/letterbox.js";
import { type WorkingSize, workingSizeFilter } from "./working-size.js";

/** SOI at the start and EOI at the end: cheap proof that a body is at least shaped like a JPEG. */
export function looksLikeJpeg(body: Buffer): boolean {
  return (
    body.length >= 4 &&
    body[0] === 0xff &&
    body[1] === 0xd8 &&
    body[body.length - 2] === 0xff &&
    body[body.length - 1] === 0xd9
  );
}

/** ffmpeg arguments that decode one JPEG from stdin through `filter` to rgb24 on stdout. Pure. */
export function jpegDecodeArgs(filter: string): string[] {
  return [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "info",
    "-f",
    "image2pipe",
    "-c:v",
    "mjpeg",
    "-i",
    "pipe:0",
    "-vf",
    filter,
    "-frames:v",
    "1",
    "-an",
    "-pix_fmt",
    "rgb24",
    "-f",
    "rawvideo",
    "pipe:1",
  ];
}

type Size = { width: number; height: number };

export interface DecodedJpeg {
  readonly rgb: Buffer;
  readonly width: number;
  readonly height: number;
  /** The JPEG's own size. */
  readonly source: Size | undefined;
}

/** A pushed JPEG or a photo at the working size (working-size.ts): the pixels a camera frame would have. */
export async function decodeJpegToWorkingSize(
  jpeg: Buffer,
  working: WorkingSize,
  timeoutMs = 5000,
): Promise<DecodedJpeg> {
  const d = await runDecoder(jpeg, workingSizeFilter(working), timeoutMs);
  if (!d.output || d.rgb.length !== d.output.width * d.output.height * 3) throw notAJpeg(d.stderr);
  return { rgb: d.rgb, width: d.output.width, height: d.output.height, source: d.source };
}

/** A JPEG letterboxed to exactly `width` x `height` (a model's input, in tests and benches). */
export async function decodeJpeg(
  jpeg: Buffer,
  width: number,
  height: number,
  timeoutMs = 5000,
): Promise<{ rgb: Buffer; source: Size | undefined }> {
  const d = await runDecoder(jpeg, letterboxFilter(width, height), timeoutMs);
  if (d.rgb.length !== width * height * 3) throw notAJpeg(d.stderr);
  return { rgb: d.rgb, source: d.source };
}

function notAJpeg(stderr: string): VigilError {
  return new VigilError(ErrorCodes.VALIDATION, "the body is not a decodable JPEG image", {
    details: { field: "body", ffmpeg: stderr.split("\n").slice(-3).join(" ").trim() },
  });
}

/**
 * One ffmpeg decode, the decoder every camera already goes through. Spawned directly rather than
 * through fluent-ffmpeg: a one-shot decode of an in-memory buffer with both ends piped is all it
 * is, and fluent-ffmpeg adds nothing to that. Sizes come from the banner: the input's, then the
 * output's after "Output #0".
 */
function runDecoder(
  jpeg: Buffer,
  filter: string,
  timeoutMs: number,
): Promise<{ rgb: Buffer; source: Size | undefined; output: Size | undefined; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffmpeg", jpegDecodeArgs(filter), { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-8000);
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new VigilError(ErrorCodes.INTERNAL, `ffmpeg could not be started: ${err.message}`, { cause: err }));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      let source: Size | undefined;
      let output: Size | undefined;
      let inOutput = false;
      for (const line of stderr.split("\n")) {
        if (line.startsWith("Output #0")) inOutput = true;
        else if (inOutput) output ??= parseSourceSize(line);
        else source ??= parseSourceSize(line);
      }
      if (code !== 0) reject(notAJpeg(stderr));
      else resolve({ rgb: Buffer.concat(out), source, output, stderr });
    });
    // A camera that hangs up mid-upload must not take the daemon down with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(jpeg);
  });
}
