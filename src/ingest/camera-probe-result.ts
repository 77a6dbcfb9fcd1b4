import { type Static, Type } from "@sinclair/typebox";
import { redactUrlCredentials } from "../core/logger.js";

/** What the probe at camera add learned about the stream; stored with the camera and shown in GET. */
export const ProbeInfoSchema = Type.Object(
  {
    codec: Type.String(),
    width: Type.Integer({ minimum: 0 }),
    height: Type.Integer({ minimum: 0 }),
    /** null when the stream does not say (some cameras report 0/0 or 90000/1). */
    fps: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    probed_at: Type.String(),
  },
  { additionalProperties: false },
);
export type ProbeInfo = Static<typeof ProbeInfoSchema>;

/** The part of ffprobe's `-show_streams` output the probe reads. */
export interface ProbedStream {
  readonly codec_type?: unknown;
  readonly codec_name?: unknown;
  readonly width?: unknown;
  readonly height?: unknown;
  readonly avg_frame_rate?: unknown;
  readonly r_frame_rate?: unknown;
}

/** Above this a rate is a timebase (RTP's 90000/1), not frames per second. */
const MAX_PLAUSIBLE_FPS = 240;

/** `"30000/1001"` -> 29.97, `"25"` -> 25; undefined for 0/0, timebases and anything unreadable. Pure. */
export function parseFrameRate(value: unknown): number | undefined {
  if (typeof value === "number") return value > 0 && value <= MAX_PLAUSIBLE_FPS ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?))?\s*$/.exec(value);
  if (!m?.[1]) return undefined;
  const den = m[2] === undefined ? 1 : Number(m[2]);
  if (!(den > 0)) return undefined;
  const fps = Number(m[1]) / den;
  return fps > 0 && fps <= MAX_PLAUSIBLE_FPS ? Math.round(fps * 1000) / 1000 : undefined;
}

/**
 * The first video stream's codec, size and fps, or the reason there is none (a URL that serves
 * audio only, or a picture without a size, is no camera). Pure.
 */
export function probeInfoFrom(streams: readonly ProbedStream[], probedAt: Date): { ok: true; info: ProbeInfo } | { ok: false; reason: string } {
  const video = streams.find((s) => s.codec_type === "video");
  if (!video) {
    const kinds = [...new Set(streams.map((s) => (typeof s.codec_type === "string" ? s.codec_type : "unknown")))];
    return { ok: false, reason: kinds.length === 0 ? "the source has no streams" : `the source has no video stream (only ${kinds.join(", ")})` };
  }
  const width = typeof video.width === "number" ? video.width : Number(video.width);
  const height = typeof video.height === "number" ? video.height : Number(video.height);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) return { ok: false, reason: "the video stream reports no picture size" };
  const fps = parseFrameRate(video.avg_frame_rate) ?? parseFrameRate(video.r_frame_rate) ?? null;
  const codec = typeof video.codec_name === "string" && video.codec_name.length > 0 ? video.codec_name : "unknown";
  return { ok: true, info: { codec, width, height, fps, probed_at: probedAt.toISOString() } };
}

/**
 * The line of ffprobe's stderr that says what went wrong (the last non-empty one names the
 * cause: `401 Unauthorized`, `Connection refused`, `Invalid data found`), with every credential
 * taken out: URLs' user:password, and the password itself wherever else it appears. Pure.
 */
export function probeFailureReason(message: string, credentials: string | undefined): string {
  const lines = message
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  // fluent-ffmpeg puts "ffprobe exited with code 1" first and ffprobe's stderr after it.
  const detail = lines.length > 1 ? lines.slice(1).at(-1) : lines[0];
  let reason = redactUrlCredentials(detail ?? "ffprobe failed");
  for (const secret of secretForms(credentials)) reason = reason.split(secret).join("***");
  return reason.length > 300 ? `${reason.slice(0, 297)}...` : reason;
}

/** The password (and user:password) as typed and as percent-encoded in a URL. */
function secretForms(credentials: string | undefined): string[] {
  if (!credentials) return [];
  const sep = credentials.indexOf(":");
  const password = sep < 0 ? "" : credentials.slice(sep + 1);
  const forms = [credentials, password, encodeURIComponent(password)].filter((f) => f.length >= 3);
  // Longest first, so a form that contains another is replaced whole.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}
