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
export function liveViewSize(
  source: { width: number; height: number } | undefined,
  maxWidth: number,
): { width: number; height: number } {
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
  /** The viewer's session ended (logout, revocation, disable, password change): log in again. */
  SESSION_ENDED: 4401,
  /** The viewer's role no longer includes viewer. */
  ROLE_CHANGED: 4403,
} as const;

/**
 * What a viewer proves itself with: a one-time ticket (`ticket.<t>` subprotocol or `?ticket=`,
 * from `POST /v1/cameras/:id/live-ticket`), or an access token in a `bearer.<token>` subprotocol
 * (API clients). An access token in the URL (`?access_token=`) is no longer read. Pure.
 */
export function liveViewCredential(
  url: string,
  protocols: string | undefined,
): { kind: "ticket" | "bearer"; value: string } | undefined {
  const offered = (protocols ?? "").split(",").map((p) => p.trim());
  const ticket =
    offered.find((p) => p.startsWith("ticket."))?.slice("ticket.".length) ??
    new URL(url, "http://localhost").searchParams.get("ticket");
  if (ticket) return { kind: "ticket", value: ticket };
  const bearer = offered.find((p) => p.startsWith("bearer."));
  return bearer && bearer.length > "bearer.".length
    ? { kind: "bearer", value: bearer.slice("bearer.".length) }
    : undefined;
}

/**
 * Whether a browser page of `origin` may open live view on this listener: no Origin (not a
 * browser), the listener's own origin (same origin, by the Host header), or one listed in
 * `live_view.allowed_origins`. Pure.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  if (host === undefined) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

const LIVE_PATH = /^\/v1\/cameras\/([a-z0-9_-]{1,64})\/live$/;

/** The camera id of a live-view path, or undefined for any other path. Pure. */
export function liveViewCamera(url: string): string | undefined {
  return LIVE_PATH.exec(new URL(url, "http://localhost").pathname)?.[1];
}
