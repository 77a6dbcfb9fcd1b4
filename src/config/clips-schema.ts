import { Type } from "@sinclair/typebox";

/** What a camera keeps of an incident: seconds before and after, in clips of at most `max_clip_s`. */
const clipWindow = {
  pre_roll_s: Type.Number({
    minimum: 0,
    maximum: 60,
    description: "seconds of video kept before the incident started",
  }),
  post_roll_s: Type.Number({ minimum: 0, maximum: 300, description: "seconds kept after it was last seen" }),
  max_clip_s: Type.Number({
    minimum: 10,
    maximum: 600,
    description: "longest clip; a longer incident gets consecutive clips",
  }),
};

/** `cameras[].clips`: overrides the site-wide `clips` defaults for one camera. */
export const CameraClipsSchema = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({ description: "record the main stream into the ring and cut clips of this camera's incidents" }),
    ),
    pre_roll_s: Type.Optional(clipWindow.pre_roll_s),
    post_roll_s: Type.Optional(clipWindow.post_roll_s),
    max_clip_s: Type.Optional(clipWindow.max_clip_s),
  },
  {
    additionalProperties: false,
    description: "incident clips for this camera; unset keys come from the site-wide `clips` section (docs/clips.md)",
  },
);

/** The site-wide `clips` section: defaults for every camera and the recording ring's bounds. */
export const ClipsSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description:
        "record every RTSP camera's main stream (stream copy, no re-encoding) into a short ring and keep clips of incidents",
    }),
    pre_roll_s: { ...clipWindow.pre_roll_s, default: 5 },
    post_roll_s: { ...clipWindow.post_roll_s, default: 10 },
    max_clip_s: { ...clipWindow.max_clip_s, default: 120 },
    segment_s: Type.Number({
      minimum: 1,
      maximum: 10,
      default: 2,
      description: "length of one ring segment (cut at the next key frame)",
    }),
    ring_margin_s: Type.Number({
      minimum: 2,
      maximum: 300,
      default: 10,
      description: "seconds the ring keeps beyond pre_roll_s, for segments not yet claimed by a clip",
    }),
    ring_max_bytes: Type.Integer({
      minimum: 1_048_576,
      default: 268_435_456,
      description:
        "bytes one camera's ring may hold, clips being assembled included; past it the oldest segments go, and a clip missing them records a gap",
    }),
    min_free_bytes: Type.Integer({
      minimum: 0,
      default: 536_870_912,
      description:
        "free space on the data volume below this: the ring stops (health degraded, incidents go on without clips) until it is back above 1.5x",
    }),
  },
  { additionalProperties: false, default: {} },
);
