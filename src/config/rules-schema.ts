import { Type } from "@sinclair/typebox";
import { Id } from "./schema-primitives.js";

/** The rules' part of the config (`rules`): zone rules, face rules, tamper, grouping, the tracker. */

const NextStepSchema = Type.Union([Type.Literal("monitor"), Type.Literal("notify"), Type.Literal("dispatch")], {
  description:
    "recommended next step; below incidents.min_confidence it is monitor, and dispatch always waits for a supervisor's approval",
});

/** One zone rule: what in which zone of which camera makes an incident. */
export const ZoneRuleSchema = Type.Object(
  {
    id: Id,
    kind: Type.Union([Type.Literal("restricted"), Type.Literal("loitering"), Type.Literal("no_parking")], {
      description:
        "restricted: anything of `labels` in the zone; loitering: staying longer than min_seconds; no_parking: a stationary vehicle longer than min_seconds",
    }),
    camera: Id,
    zone: Type.String({
      pattern: "^[a-z0-9_-]{1,64}$",
      description: "a zone id of that camera (cameras[].zones[].id)",
    }),
    labels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        minItems: 1,
        description: "default: [person] (restricted, loitering), [car, truck, bus, motorcycle] (no_parking)",
      }),
    ),
    min_seconds: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 86_400,
        description: "time in the zone before it counts; default 0 (restricted), 30 (loitering), 60 (no_parking)",
      }),
    ),
    next_step: Type.Optional(NextStepSchema),
    enabled: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);

/** A rule's recommended next step, with its default. */
function nextStep(fallback: "monitor" | "notify" | "dispatch", description?: string) {
  return Type.Union([Type.Literal("monitor"), Type.Literal("notify"), Type.Literal("dispatch")], {
    default: fallback,
    ...(description ? { description } : {}),
  });
}

export const RulesSchema = Type.Object(
  {
    face_presence: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        min_frames: Type.Integer({
          minimum: 1,
          maximum: 1000,
          default: 3,
          description: "consecutive analysed frames with a face",
        }),
        clear_frames: Type.Integer({
          minimum: 1,
          maximum: 10_000,
          default: 10,
          description: "frames without a face that end an episode",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    zones: Type.Array(ZoneRuleSchema, { default: [], description: "zone rules: restricted, loitering, no_parking" }),
    group_window_s: Type.Number({
      minimum: 0,
      maximum: 3600,
      default: 30,
      description:
        "objects of the same rule and zone (or face) within this many seconds of the last join the same incident, so a person walking through makes one",
    }),
    max_snapshots: Type.Integer({
      minimum: 0,
      maximum: 50,
      default: 5,
      description: "JPEG snapshots per incident: one when raised, one per object that joins it",
    }),
    incident_caps: Type.Object(
      {
        max_duration_s: Type.Number({
          minimum: 60,
          maximum: 86_400,
          default: 3600,
          description: "an incident older than this ends at its next sighting and a linked continuation opens",
        }),
        max_objects: Type.Integer({
          minimum: 1,
          maximum: 200,
          default: 25,
          description:
            "an incident listing this many objects ends when another joins, and a linked continuation opens with it",
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: "bounds on one incident in a scene that never empties, so its updates stay small",
      },
    ),
    tracker: Type.Object(
      {
        iou_threshold: Type.Number({
          exclusiveMinimum: 0,
          maximum: 1,
          default: 0.2,
          description: "least overlap of a track's predicted box and a detection to be the same object",
        }),
        min_frames: Type.Integer({
          minimum: 1,
          maximum: 1000,
          default: 3,
          description: "consecutive frames before a new object counts",
        }),
        max_missed_frames: Type.Integer({
          minimum: 0,
          maximum: 10_000,
          default: 5,
          description: "missed frames after which an object has gone",
        }),
        max_missed_s: Type.Number({
          exclusiveMinimum: 0,
          maximum: 3600,
          default: 3,
          description: "unseen this long and an object has gone, whatever the frame count",
        }),
        stationary_window_s: Type.Number({
          exclusiveMinimum: 0,
          maximum: 3600,
          default: 10,
          description: "how long an object must stay put to be stationary",
        }),
        stationary_ratio: Type.Number({
          exclusiveMinimum: 0,
          maximum: 10,
          default: 0.25,
          description: "stationary: its centre moved less than this fraction of its box size over the window",
        }),
        stationary_max_missed_s: Type.Number({
          exclusiveMinimum: 0,
          maximum: 3600,
          default: 30,
          description:
            "a stationary object (a parked car) hidden this long is still the same object when it reappears: no new alert",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    watchlist_face: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        min_similarity: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.6,
          description: "a face this similar to a watchlist entry is a match; below it no name is ever shown",
        }),
        next_step: nextStep("notify", "recommended next step of a match"),
      },
      { additionalProperties: false, default: {} },
    ),
    unknown_face: Type.Object(
      {
        enabled: Type.Boolean({ default: false }),
        cameras: Type.Array(Id, {
          default: [],
          description: "cameras where a face matching no watchlist entry is an incident; empty: every camera",
        }),
        next_step: nextStep("monitor"),
      },
      { additionalProperties: false, default: {} },
    ),
    tamper: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        events: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
          default: ["tamper"],
          description: "pushed camera event types that raise a tamper incident",
        }),
        next_step: nextStep("notify"),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
