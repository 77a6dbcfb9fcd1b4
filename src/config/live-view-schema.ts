import { Type } from "@sinclair/typebox";

/** `live_view`: the authenticated MPEG-1 relay for watching a camera live. */
export const LiveViewSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        "serve live view (MPEG-1 over WebSocket for jsmpeg) on the operator listener at /v1/cameras/:id/live",
    }),
    max_viewers: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 4,
      description: "viewers per camera; one more is refused with close code 4429",
    }),
    idle_stop_s: Type.Number({
      minimum: 0,
      maximum: 3600,
      default: 10,
      description:
        "a camera's relay ffmpeg stops this long after its last viewer left (a reconnecting viewer finds it running)",
    }),
    fps: Type.Union([Type.Literal(24), Type.Literal(25), Type.Literal(30)], {
      default: 25,
      description: "output frame rate; MPEG-1 allows only standard rates",
    }),
    max_width: Type.Integer({
      minimum: 160,
      maximum: 4094,
      default: 1280,
      description: "wider streams are scaled down to this width (keeps the relay cheap on a small box)",
    }),
    bitrate_kbps: Type.Integer({ minimum: 100, maximum: 20_000, default: 1000 }),
    recheck_s: Type.Integer({
      minimum: 1,
      maximum: 60,
      default: 60,
      description: "every viewer's session is checked again this often (and at once when sessions end)",
    }),
    upgrades_per_ip_per_minute: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 30,
      description: "WebSocket upgrades per source address (IPv6: per /64) a minute; more get 429",
    }),
    allowed_origins: Type.Array(Type.String({ pattern: "^https?://[^/\\s]+$" }), {
      default: [],
      description:
        "browser origins besides the listener's own (same origin) that may open live view, e.g. https://console.example:8443",
    }),
    ticket_ttl_s: Type.Integer({
      minimum: 5,
      maximum: 300,
      default: 30,
      description: "how long a one-time live-view ticket (POST /v1/cameras/:id/live-ticket) stays usable",
    }),
  },
  { additionalProperties: false, default: {} },
);
