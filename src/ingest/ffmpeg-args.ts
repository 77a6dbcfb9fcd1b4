import { redactUrlCredentials } from "../core/logger.js";
import { type HwAccel, type HwCodec, hwDecodeOptions, hwDownload } from "./hw-decode.js";
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

export interface SnapshotOutput {
  /** Snapshots per second, at most. */
  readonly fps: number;
  /** ffmpeg `-q:v` for mjpeg: 2 (best) to 31. */
  readonly quality: number;
  /** Decode only key frames of a separate main stream (ignored when snapshots share the detection input). */
  readonly keyframesOnly: boolean;
}

export interface CameraArgsInput extends IngestArgsInput {
  /** The main stream when detection runs on a substream; undefined: snapshots come from `url`. */
  readonly snapshotUrl?: string | undefined;
  readonly snapshot?: SnapshotOutput | undefined;
  readonly hwaccel?: HwAccel | undefined;
  readonly hwaccelDevice?: string | undefined;
  readonly hwaccelCodec?: HwCodec | undefined;
}

/** The file descriptor of the child that carries the snapshot JPEGs (0-2 are stdio). */
export const SNAPSHOT_FD = 3;

function sourceOptions(url: string, socketTimeoutS: number): { input: string; options: string[] } {
  const fileSource = url.startsWith("file://");
  const input = fileSource ? decodeURIComponent(new URL(url).pathname) : url;
  const isRtsp = /^rtsps?:\/\//i.test(url);
  return {
    input,
    options: [
      ...(isRtsp ? ["-rtsp_transport", "tcp", "-timeout", String(Math.round(socketTimeoutS * 1_000_000))] : []),
      ...(fileSource ? ["-re", "-stream_loop", "-1"] : []),
      "-fflags",
      "nobuffer",
    ],
  };
}

/**
 * The whole argv of one camera's ffmpeg: detection frames (rgb24, letterboxed, at the detect fps)
 * on stdout and, when asked, JPEG snapshots of the main stream on fd 3. One process per camera,
 * not two: the main stream is decoded once whether it feeds both outputs or only snapshots, and
 * one process is one thing to supervise. Pure, so it is property-tested.
 * - snapshots are picked with `select` (at least 1/fps apart) and `-fps_mode vfr`: no frame is
 *   ever duplicated to fill a rate, so key-frame-only decoding yields one JPEG per key frame.
 * - on a GPU, `hwdownload` comes after the fps/select filter: only kept frames cross the bus.
 */
export function buildCameraArgv(i: CameraArgsInput): string[] {
  if (!(i.fps > 0) || !Number.isFinite(i.fps)) throw new RangeError(`fps must be positive, got ${i.fps}`);
  const hw = i.hwaccel ?? "none";
  const hwInput = hwDecodeOptions(hw, i.hwaccelDevice, i.hwaccelCodec);
  const detection = sourceOptions(i.url, i.socketTimeoutS);
  const argv = ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "info", ...detection.options, ...hwInput, "-i", detection.input];
  const separateMain = i.snapshot !== undefined && i.snapshotUrl !== undefined && i.snapshotUrl !== i.url;
  if (separateMain && i.snapshotUrl !== undefined && i.snapshot) {
    const main = sourceOptions(i.snapshotUrl, i.socketTimeoutS);
    argv.push(...main.options, ...(i.snapshot.keyframesOnly ? ["-skip_frame", "nokey"] : []), ...hwInput, "-i", main.input);
  }
  const detectFilter = [`fps=${i.fps}`, ...hwDownload(hw), letterboxFilter(i.width, i.height)].join(",");
  argv.push("-map", "0:v:0", "-vf", detectFilter, "-an", "-sn", "-dn", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1");
  if (i.snapshot) {
    const s = i.snapshot;
    if (!(s.fps > 0) || !Number.isFinite(s.fps)) throw new RangeError(`snapshot fps must be positive, got ${s.fps}`);
    const select = `select='isnan(prev_selected_t)+gte(t-prev_selected_t,${1 / s.fps})'`;
    argv.push(
      ...["-map", separateMain ? "1:v:0" : "0:v:0", "-vf", [select, ...hwDownload(hw)].join(","), "-fps_mode", "vfr", "-an", "-sn", "-dn"],
      ...["-c:v", "mjpeg", "-q:v", String(s.quality), "-pix_fmt", "yuvj420p", "-f", "image2pipe", `pipe:${SNAPSHOT_FD}`],
    );
  }
  return argv;
}

/** The argv as it may be logged: every URL's credentials replaced. */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((a) => redactUrlCredentials(a));
}
