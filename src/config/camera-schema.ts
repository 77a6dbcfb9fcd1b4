import { Type } from "@sinclair/typebox";
import { CameraClipsSchema } from "./clips-schema.js";
import { Id, Relative } from "./schema-primitives.js";

/**
 * How detection looks at a camera. Frames arrive at a working resolution (the source shrunk to fit
 * width x height, never enlarged or padded), and the model runs on square regions cut from them
 * around motion and tracked objects, plus a whole-frame pass at `full_frame_fps` (docs/inference.md).
 */
const DetectSchema = Type.Object(
  {
    width: Type.Optional(
      Type.Integer({
        minimum: 32,
        maximum: 4096,
        description:
          "working resolution: frames are shrunk to fit width x height keeping their aspect ratio; default 1280 (a 1080p main stream becomes 1280x720, a 640x360 substream stays as it is)",
      }),
    ),
    height: Type.Optional(
      Type.Integer({ minimum: 32, maximum: 4096, description: "working resolution's height bound; default 1280" }),
    ),
    fps: Type.Number({ exclusiveMinimum: 0, maximum: 60, default: 5 }),
    regions: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          "run the model on regions around motion and tracked objects at near-native pixels; false: one whole-frame pass per analysed frame",
      }),
    ),
    max_regions: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 16,
        default: 4,
        description:
          "most model runs per analysed frame, the whole-frame pass included; regions past it are merged (shrinking their pixels) or left to the whole-frame pass",
      }),
    ),
    full_frame_fps: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 60,
        default: 1,
        description:
          "whole-frame passes per second, which find what neither moves nor is tracked (0: only when nothing else covers the frame)",
      }),
    ),
    max_region_scale: Type.Optional(
      Type.Number({
        minimum: 1,
        maximum: 8,
        default: 2,
        description:
          "largest region side as a multiple of the model's input: merging two regions may shrink their pixels this far",
      }),
    ),
  },
  { additionalProperties: false, default: {} },
);

/** How a camera proves who it is on the push endpoints (`/v1/ingest/:cameraId/...`). */
const CameraPushSchema = Type.Object(
  {
    auth: Type.Union(
      [Type.Literal("either"), Type.Literal("api_key"), Type.Literal("client_cert"), Type.Literal("both")],
      {
        default: "either",
        description: "which credentials a push request must carry: an API key, a client certificate, either, or both",
      },
    ),
    client_cert: Type.Optional(
      Type.Object(
        {
          fingerprint_sha256: Type.Optional(
            Type.String({
              pattern: "^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$",
              description: "the certificate's SHA-256 fingerprint",
            }),
          ),
          subject: Type.Optional(
            Type.String({ minLength: 1, description: "the certificate's subject, e.g. CN=lobby,OU=camera,O=hq" }),
          ),
        },
        {
          additionalProperties: false,
          description: "binds one certificate to this camera; default: a site-CA certificate whose CN is the camera id",
        },
      ),
    ),
  },
  { additionalProperties: false, default: {} },
);

/** A zone of a camera's picture; rules (`rules.zones`) refer to it by id. */
export const ZoneSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "for people: used in incident summaries; default: the id",
      }),
    ),
    polygon: Type.Array(Type.Tuple([Relative, Relative]), {
      minItems: 3,
      maxItems: 64,
      description:
        "[[x, y], ...] in relative frame coordinates (0..1, origin top left); an object is in the zone when the bottom centre of its box is",
    }),
    labels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        minItems: 1,
        description: "only these detection labels count as present; default: all",
      }),
    ),
  },
  { additionalProperties: false },
);

/** JPEG snapshots of the main stream (`GET /v1/cameras/:id/snapshot.jpg`, incident snapshots). */
export const SnapshotSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: "encode JPEG snapshots of the main stream in the camera's ffmpeg",
    }),
    fps: Type.Number({ exclusiveMinimum: 0, maximum: 10, default: 1, description: "snapshots per second, at most" }),
    quality: Type.Integer({
      minimum: 2,
      maximum: 31,
      default: 5,
      description: "ffmpeg -q:v for the JPEG encoder: 2 best, 31 smallest",
    }),
    keyframes_only: Type.Boolean({
      default: true,
      description:
        "with a substream, decode only the main stream's key frames (a fraction of the cost; a snapshot is then as old as the key-frame interval)",
    }),
  },
  { additionalProperties: false, default: {} },
);

/** Motion gating: frames with no motion skip the detector, except at `idle_fps`. */
export const MotionSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: "send only frames with motion to the detector (plus idle_fps)",
    }),
    threshold: Type.Integer({
      minimum: 1,
      maximum: 255,
      default: 20,
      description: "grey-level change of a cell of the 64x64 motion grid that counts as changed",
    }),
    min_area: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.002,
      description: "fraction of the frame that must change to count as motion",
    }),
    idle_fps: Type.Number({
      minimum: 0,
      maximum: 60,
      default: 0.2,
      description: "detection rate kept while nothing moves (0: none)",
    }),
  },
  { additionalProperties: false, default: {} },
);

const HWACCELS = ["none", "vaapi", "qsv", "nvdec"] as const;

/** One camera, as in the config file and as added at runtime (`POST /v1/cameras`, `vigil camera add`). */
export const CameraSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    url: Type.Optional(
      Type.String({
        pattern: "^(rtsps?|rtmp|http|https|file)://",
        description:
          "stream URL without credentials; leave it out for a camera that only pushes JPEGs (POST /v1/ingest/:cameraId/frames)",
      }),
    ),
    credentials_file: Type.Optional(
      Type.String({ minLength: 1, description: "file in secrets_dir holding user:password" }),
    ),
    enabled: Type.Boolean({ default: true }),
    detect: DetectSchema,
    push: CameraPushSchema,
    substream_url: Type.Optional(
      Type.String({
        pattern: "^(rtsps?|rtmp|http|https|file)://",
        description: "low-resolution stream for detection; `url` is then used for snapshots only",
      }),
    ),
    // Optional in the type (defaults still fill them in at load) so camera objects built in code
    // before these keys existed stay valid.
    snapshot: Type.Optional(SnapshotSchema),
    hwaccel: Type.Optional(
      Type.Union(
        HWACCELS.map((h) => Type.Literal(h)),
        { default: "none", description: "hardware decode preset: vaapi, qsv (Intel), nvdec (NVIDIA CUDA) or none" },
      ),
    ),
    hwaccel_device: Type.Optional(
      Type.String({
        minLength: 1,
        description: "render node (/dev/dri/renderD128 for vaapi and qsv) or CUDA device index (nvdec)",
      }),
    ),
    hwaccel_codec: Type.Optional(
      Type.Union([Type.Literal("h264"), Type.Literal("hevc")], {
        default: "h264",
        description: "the stream's codec; qsv needs its decoder named",
      }),
    ),
    motion: Type.Optional(MotionSchema),
    clips: Type.Optional(CameraClipsSchema),
    zones: Type.Optional(
      Type.Array(ZoneSchema, {
        description: "areas of the picture that zone rules (rules.zones) watch; default: none",
      }),
    ),
  },
  { additionalProperties: false },
);
