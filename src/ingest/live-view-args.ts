import { withCredentials } from "./ffmpeg-args.js";

export interface LiveViewSettings {
  readonly fps: number;
  readonly maxWidth: number;
  readonly bitrateKbps: number;
}

/**
 * The URL the relay's ffmpeg opens. Mpeg1Muxer puts `-i URL` first, so input options such as
 * `-rtsp_transport tcp` cannot be given; ffmpeg's RTSP demuxer also takes the transport from the
 * URL's `?tcp` option (stripped before the request is sent), which keeps the relay on TCP like
 * the ingest. Pure.
 */
export function liveViewUrl(url: string, credentials: string | undefined): string {
  if (url.startsWith("file://")) return decodeURIComponent(new URL(url).pathname);
  const withCreds = withCredentials(url, credentials);
  if (!/^rtsps?:\/\//i.test(url)) return withCreds;
  return `${withCreds}${withCreds.includes("?") ? "&" : "?"}tcp`;
}

/**
 * Mpeg1Muxer's extra flags (after `-f mpegts -codec:v mpeg1video`), in order: no stdin, errors
 * only, no audio, a frame rate MPEG-1 allows (it refuses 10 or 12.5 fps sources), a bitrate, no
 * B-frames (less latency), and no wider than `maxWidth` with an even size. Pure.
 */
export function liveViewFfmpegOptions(s: LiveViewSettings): Record<string, string> {
  return {
    "-nostdin": "",
    "-loglevel": "error",
    "-an": "",
    "-r": String(s.fps),
    "-b:v": `${s.bitrateKbps}k`,
    "-bf": "0",
    "-vf": `scale='trunc(min(${s.maxWidth},iw)/2)*2':-2`,
  };
}

/** The picture size the relay sends for a source size, as ffmpeg's scale filter computes it. Pure. */
export function liveViewSize(source: { width: number; height: number } | undefined, maxWidth: number): { width: number; height: number } {
  if (!source || source.width <= 0 || source.height <= 0) return { width: 0, height: 0 };
  const width = Math.trunc(Math.min(maxWidth, source.width) / 2) * 2;
  const height = Math.round((width * source.height) / (source.width * 2)) * 2;
  return { width, height };
}

/** node-rtsp-stream's 8-byte stream header: "jsmp" and the picture size (older jsmpeg reads it; newer skips it). */
export function jsmpegHeader(size: { width: number; height: number }): Buffer {
  const header = Buffer.alloc(8);
  header.write("jsmp", 0, "ascii");
  header.writeUInt16BE(Math.min(size.width, 0xffff), 4);
  header.writeUInt16BE(Math.min(size.height, 0xffff), 6);
  return header;
}

/** WebSocket close codes (4000-4999 are the application's): HTTP's status numbers, for people reading them. */
export const LiveViewClose = {
  UNAUTHENTICATED: 4401,
  FORBIDDEN: 4403,
  UNKNOWN_CAMERA: 4404,
  FULL: 4429,
  UNAVAILABLE: 4503,
  RELAY_ENDED: 4502,
} as const;

/** The access token a browser can send: `?access_token=` or a `bearer.<token>` subprotocol. Pure. */
export function liveViewToken(url: string, protocols: string | undefined): string | undefined {
  const offered = (protocols ?? "")
    .split(",")
    .map((p) => p.trim())
    .find((p) => p.startsWith("bearer."));
  if (offered) return offered.slice("bearer.".length);
  const query = new URL(url, "http://localhost").searchParams.get("access_token");
  return query && query.length > 0 ? query : undefined;
}

const LIVE_PATH = /^\/v1\/cameras\/([a-z0-9_-]{1,64})\/live$/;

/** The camera id of a live-view path, or undefined for any other path. Pure. */
export function liveViewCamera(url: string): string | undefined {
  return LIVE_PATH.exec(new URL(url, "http://localhost").pathname)?.[1];
}
