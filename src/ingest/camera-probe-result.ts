import { type Static, Type } from "@sinclair/typebox";

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
export function probeInfoFrom(
  streams: readonly ProbedStream[],
  probedAt: Date,
): { ok: true; info: ProbeInfo } | { ok: false; reason: string } {
  const video = streams.find((s) => s.codec_type === "video");
  if (!video) {
    const kinds = [...new Set(streams.map((s) => (typeof s.codec_type === "string" ? s.codec_type : "unknown")))];
    return {
      ok: false,
      reason:
        kinds.length === 0 ? "the source has no streams" : `the source has no video stream (only ${kinds.join(", ")})`,
    };
  }
  const width = typeof video.width === "number" ? video.width : Number(video.width);
  const height = typeof video.height === "number" ? video.height : Number(video.height);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    return { ok: false, reason: "the video stream reports no picture size" };
  const fps = parseFrameRate(video.avg_frame_rate) ?? parseFrameRate(video.r_frame_rate) ?? null;
  const codec = typeof video.codec_name === "string" && video.codec_name.length > 0 ? video.codec_name : "unknown";
  return { ok: true, info: { codec, width, height, fps, probed_at: probedAt.toISOString() } };
}

/**
 * What a caller is told when a probe fails: one of a few fixed phrases. ffprobe's own text stays
 * out of the answer: it can quote the URL, its credentials, and describe whatever internal service
 * the URL pointed at (an admin's URL is a way to scan the site network from the box). Pure.
 */
export function probeFailureReason(message: string): string {
  if (/\b401\b|Unauthorized|403 Forbidden/i.test(message)) return "unauthorized";
  if (
    /Connection refused|No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution/i.test(
      message,
    )
  )
    return "connection refused";
  if (/timed out|timeout/i.test(message)) return "timed out";
  if (/\b404\b|Not Found|No such file/i.test(message)) return "not found";
  return "not a video stream";
}
