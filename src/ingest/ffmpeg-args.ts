import { redactUrlCredentials } from "../core/logger.js";
import { type HwAccel, type HwCodec, hwDecodeOptions, hwDownload } from "./hw-decode.js";
import { type WorkingSize, workingSizeFilter } from "./working-size.js";

export interface IngestArgsInput {
  /** Stream URL, credentials already injected (never logged: see redactUrlCredentials). */
  readonly url: string;
  /** The box detection frames are shrunk to fit (working-size.ts). */
  readonly working: WorkingSize;
  readonly fps: number;
  readonly socketTimeoutS: number;
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

const INPUT_VIDEO = /^\s*Stream #0:\d+.*?: Video: .*?\b(\d{2,5})x(\d{2,5})\b/;

/**
 * A video stream's size from a line of ffmpeg's stderr banner. In the input section (before
 * "Output #0") it is the camera's own size, which saves an ffprobe connection per start; the first
 * video stream after "Output #0" is the detection output, whose size cuts the rawvideo pipe.
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

/** The recording ring: the main stream copied (never re-encoded) into short MPEG-TS segments. */
export interface RecordingOutput {
  /** The ring's directory; segment names carry `pattern` (segments.ts), strftime-expanded. */
  readonly dir: string;
  readonly pattern: string;
  readonly segmentS: number;
}

export interface CameraArgsInput extends IngestArgsInput {
  /** The main stream when detection runs on a substream; undefined: snapshots come from `url`. */
  readonly snapshotUrl?: string | undefined;
  readonly snapshot?: SnapshotOutput | undefined;
  readonly recording?: RecordingOutput | undefined;
  readonly hwaccel?: HwAccel | undefined;
  readonly hwaccelDevice?: string | undefined;
  readonly hwaccelCodec?: HwCodec | undefined;
}

/** The file descriptor of the child that carries the snapshot JPEGs (0-2 are stdio). */
export const SNAPSHOT_FD = 3;

/**
 * Input options for one stream.
 * - RTSP over TCP: UDP loses packets on busy site networks and smears H.264 frames.
 * - `-timeout` (microseconds) is ffmpeg's own socket timeout, so a camera that stops sending is
 *   noticed by ffmpeg itself and not only by our frame watchdog.
 * - A file plays as a looped live camera, paced to real time (demos and soak tests).
 */
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
 * The whole argv of one camera's ffmpeg: detection frames (rgb24 at the working size, at the detect fps)
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
  const argv = [
    "-nostdin",
    "-hide_banner",
    "-nostats",
    "-loglevel",
    "info",
    ...detection.options,
    ...hwInput,
    "-i",
    detection.input,
  ];
  const separateMain =
    (i.snapshot !== undefined || i.recording !== undefined) && i.snapshotUrl !== undefined && i.snapshotUrl !== i.url;
  if (separateMain && i.snapshotUrl !== undefined) {
    const main = sourceOptions(i.snapshotUrl, i.socketTimeoutS);
    // -skip_frame is a decoder option: the recording's stream copy still gets every packet.
    argv.push(
      ...main.options,
      ...(i.snapshot?.keyframesOnly ? ["-skip_frame", "nokey"] : []),
      ...hwInput,
      "-i",
      main.input,
    );
  }
  // fps first, so frames that will be dropped are never scaled; rgb24 keeps full chroma for the model.
  const detectFilter = [`fps=${i.fps}`, ...hwDownload(hw), workingSizeFilter(i.working)].join(",");
  argv.push("-map", "0:v:0", "-vf", detectFilter, "-an", "-sn", "-dn", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1");
  if (i.snapshot) {
    const s = i.snapshot;
    if (!(s.fps > 0) || !Number.isFinite(s.fps)) throw new RangeError(`snapshot fps must be positive, got ${s.fps}`);
    const select = `select='isnan(prev_selected_t)+gte(t-prev_selected_t,${1 / s.fps})'`;
    argv.push(
      ...[
        "-map",
        separateMain ? "1:v:0" : "0:v:0",
        "-vf",
        [select, ...hwDownload(hw)].join(","),
        "-fps_mode",
        "vfr",
        "-an",
        "-sn",
        "-dn",
      ],
      ...[
        "-c:v",
        "mjpeg",
        "-q:v",
        String(s.quality),
        "-pix_fmt",
        "yuvj420p",
        "-f",
        "image2pipe",
        `pipe:${SNAPSHOT_FD}`,
      ],
    );
  }
  if (i.recording) argv.push(...recordingArgs(i.recording, separateMain ? "1:v:0" : "0:v:0"));
  return argv;
}

/**
 * One more output of the same ffmpeg, so recording costs no second RTSP session and no decoding:
 * the segment muxer cuts the copied stream at the key frame after each `segmentS` into MPEG-TS
 * (which survives being cut off mid-write), each segment named by the wall clock it opened at.
 */
function recordingArgs(r: RecordingOutput, map: string): string[] {
  if (!(r.segmentS > 0) || !Number.isFinite(r.segmentS))
    throw new RangeError(`segment length must be positive, got ${r.segmentS}`);
  return [
    ...["-map", map, "-c:v", "copy", "-an", "-sn", "-dn"],
    ...[
      "-f",
      "segment",
      "-segment_time",
      String(r.segmentS),
      "-segment_format",
      "mpegts",
      "-reset_timestamps",
      "1",
      "-strftime",
      "1",
    ],
    `${r.dir}/${r.pattern}`,
  ];
}

/** The argv as it may be logged: every URL's credentials replaced. */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((a) => redactUrlCredentials(a));
}
