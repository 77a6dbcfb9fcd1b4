import { letterboxFilter } from "./letterbox.js";

export interface IngestArgsInput {
  /** Stream URL, credentials already injected (never logged: see redactUrlCredentials). */
  readonly url: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly socketTimeoutS: number;
}

export interface IngestArgs {
  readonly input: string;
  readonly inputOptions: readonly string[];
  readonly videoFilter: string;
  readonly outputOptions: readonly string[];
}

/** Inserts `user:password@` into a URL; the password is percent-encoded as RFC 3986 requires. */
export function withCredentials(url: string, credentials: string | undefined): string {
  if (!credentials) return url;
  const sep = credentials.indexOf(":");
  const user = sep < 0 ? credentials : credentials.slice(0, sep);
  const pass = sep < 0 ? "" : credentials.slice(sep + 1);
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(pass);
  return parsed.toString();
}

/**
 * ffmpeg arguments for one camera's detection stream: pure, so it is property-tested.
 * - RTSP over TCP: UDP loses packets on busy site networks and smears H.264 frames.
 * - `-timeout` (microseconds) is ffmpeg's own socket timeout, so a camera that stops sending is
 *   noticed by ffmpeg itself and not only by our frame watchdog.
 * - `fps` comes before scaling so frames that will be dropped are never scaled.
 * - rgb24 raw output: exact-size frames, and no chroma subsampling to shift the letterbox padding.
 */
export function buildIngestArgs(i: IngestArgsInput): IngestArgs {
  if (!(i.fps > 0) || !Number.isFinite(i.fps)) throw new RangeError(`fps must be positive, got ${i.fps}`);
  const fileSource = i.url.startsWith("file://");
  const input = fileSource ? decodeURIComponent(new URL(i.url).pathname) : i.url;
  const isRtsp = /^rtsps?:\/\//i.test(i.url);
  const inputOptions = [
    "-nostdin",
    "-hide_banner",
    ...(isRtsp ? ["-rtsp_transport", "tcp", "-timeout", String(Math.round(i.socketTimeoutS * 1_000_000))] : []),
    // A file plays as a looped live camera, paced to real time (demos and soak tests).
    ...(fileSource ? ["-re", "-stream_loop", "-1"] : []),
    "-fflags",
    "nobuffer",
  ];
  return {
    input,
    inputOptions,
    videoFilter: `fps=${i.fps},${letterboxFilter(i.width, i.height)}`,
    outputOptions: ["-an", "-sn", "-dn", "-pix_fmt", "rgb24", "-f", "rawvideo"],
  };
}

/** The flat argument list, for logging (after redaction) and for callers that spawn directly. */
export function toArgv(args: IngestArgs): string[] {
  return [...args.inputOptions, "-i", args.input, "-vf", args.videoFilter, ...args.outputOptions, "pipe:1"];
}

const INPUT_VIDEO = /^\s*Stream #0:\d+.*?: Video: .*?\b(\d{2,5})x(\d{2,5})\b/;

/**
 * The source size from ffmpeg's stderr banner (the first `Stream #0:n: Video:` line belongs to
 * the input; output streams are listed after it). Saves a separate ffprobe connection per start.
 */
export function parseSourceSize(line: string): { width: number; height: number } | undefined {
  const m = INPUT_VIDEO.exec(line);
  if (!m) return undefined;
  return { width: Number(m[1]), height: Number(m[2]) };
}
