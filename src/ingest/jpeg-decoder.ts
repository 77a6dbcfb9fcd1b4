import { spawn } from "node:child_process";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { parseSourceSize } from "./ffmpeg-args.js";
import { letterboxFilter } from "./letterbox.js";

/** SOI at the start and EOI at the end: cheap proof that a body is at least shaped like a JPEG. */
export function looksLikeJpeg(body: Buffer): boolean {
  return body.length >= 4 && body[0] === 0xff && body[1] === 0xd8 && body[body.length - 2] === 0xff && body[body.length - 1] === 0xd9;
}

/** ffmpeg arguments that decode one JPEG from stdin to letterboxed rgb24 on stdout. Pure. */
export function jpegDecodeArgs(width: number, height: number): string[] {
  return ["-nostdin", "-hide_banner", "-loglevel", "info", "-f", "image2pipe", "-c:v", "mjpeg", "-i", "pipe:0", "-vf", letterboxFilter(width, height), "-frames:v", "1", "-an", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"];
}

/**
 * Decodes a pushed JPEG to the detector's letterboxed rgb24 with ffmpeg, the decoder every camera
 * already goes through. Spawned directly rather than through fluent-ffmpeg: a one-shot decode of an
 * in-memory buffer with both ends piped is all it is, and fluent-ffmpeg adds nothing to that.
 */
export function decodeJpeg(jpeg: Buffer, width: number, height: number, timeoutMs = 5000): Promise<{ rgb: Buffer; source: { width: number; height: number } | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffmpeg", jpegDecodeArgs(width, height), { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    let source: { width: number; height: number } | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4000);
      for (const line of stderr.split("\n")) source ??= parseSourceSize(line);
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new VigilError(ErrorCodes.INTERNAL, `ffmpeg could not be started: ${err.message}`, { cause: err }));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const rgb = Buffer.concat(out);
      if (code === 0 && rgb.length === width * height * 3) resolve({ rgb, source });
      else reject(new VigilError(ErrorCodes.VALIDATION, "the body is not a decodable JPEG image", { details: { field: "body", ffmpeg: stderr.split("\n").slice(-3).join(" ").trim() } }));
    });
    // A camera that hangs up mid-upload must not take the daemon down with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(jpeg);
  });
}
