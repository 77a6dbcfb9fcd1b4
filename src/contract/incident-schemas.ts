import { Type } from "@sinclair/typebox";
import { DISMISS_REASONS } from "./incident.js";
import {
  ConfigId,
  envelopeProperties,
  FORWARD_COMPATIBLE,
  idFor,
  IsoUtc,
  Probability,
  SCHEMA_DIALECT,
} from "./schema-kit.js";

/** Incident and weekly-KPI payloads on <base>/incidents (see schemas.ts). */

// ---------------------------------------------------------------------------------------------
// Incidents

export const BoxSchema = Type.Object(
  {
    x1: Type.Number({ description: "Left edge." }),
    y1: Type.Number({ description: "Top edge." }),
    x2: Type.Number({ description: "Right edge." }),
    y2: Type.Number({ description: "Bottom edge." }),
  },
  {
    description: "Bounding box, normalised (0..1) to the camera's full frame (origin top left).",
    additionalProperties: true,
  },
);

export const DetectionSchema = Type.Object(
  {
    label: Type.String({ description: "What was detected, e.g. `face`." }),
    score: Probability("Detector confidence, 0..1."),
    box: BoxSchema,
    keypoints: Type.Optional(
      Type.Array(
        Type.Object(
          {
            x: Type.Number({ description: "Horizontal position." }),
            y: Type.Number({ description: "Vertical position." }),
          },
          { description: "One landmark.", additionalProperties: true },
        ),
        {
          description:
            "Landmarks, normalised like `box`, where the detector gives them (faces: right eye, left eye, nose, mouth, right ear, left ear, the subject's sides).",
        },
      ),
    ),
  },
  { description: "One detected object.", additionalProperties: true },
);

export const IncidentObjectSchema = Type.Object(
  {
    ...DetectionSchema.properties,
    track_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "The tracker's id of the object on its camera, when a rule tracked it.",
      }),
    ),
  },
  { description: "One detected object, with its track id when tracked.", additionalProperties: true },
);

export const SnapshotRefSchema = Type.Object(
  {
    file: Type.String({
      minLength: 1,
      description:
        "Where the JPEG lies on the gateway, relative to data_dir: `snapshots/<incident id>/<n>.jpg`; in an evidence pack: `snapshots/<n>.jpg`.",
    }),
    captured_at: IsoUtc("When the frame was captured."),
    sha256: Type.String({ pattern: "^[0-9a-f]{64}$", description: "SHA-256 of the JPEG, 64 lower-case hex digits." }),
    bytes: Type.Integer({ minimum: 0, description: "Size of the JPEG." }),
  },
  { description: "A scene snapshot.", additionalProperties: true },
);

export const ClipGapSchema = Type.Object(
  { start: IsoUtc("First moment with no recording."), end: IsoUtc("When recording resumed (or the window ended).") },
  {
    description:
      "A stretch of the clip's window with no video: the camera reconnected, or a segment was unreadable. Recorded, never hidden.",
    additionalProperties: true,
  },
);

export const ClipRefSchema = Type.Object(
  {
    file: Type.String({
      minLength: 1,
      description:
        "Where the MP4 lies on the gateway, relative to data_dir: `clips/<incident id>/<n>.mp4`; in an evidence pack: `clips/<n>.mp4`.",
    }),
    start: IsoUtc("Wall-clock time of the clip's first recorded segment."),
    end: IsoUtc("Wall-clock time its last recorded segment ended."),
    duration_s: Type.Number({ minimum: 0, description: "Seconds of video in the file (gaps are not in it)." }),
    sha256: Type.String({ pattern: "^[0-9a-f]{64}$", description: "SHA-256 of the MP4, 64 lower-case hex digits." }),
    bytes: Type.Integer({ minimum: 0, description: "Size of the MP4." }),
    gaps: Type.Array(ClipGapSchema, {
      description: "Stretches of the planned window with no video, oldest first; empty when whole.",
    }),
  },
  {
    description:
      "A video clip of the incident (H.264 stream-copied into MP4 with faststart; push cameras: their JPEGs encoded).",
    additionalProperties: true,
  },
);

export const IdentitySchema = Type.Object(
  {
    person_id: Type.String({ description: "Watchlist entry id." }),
    name: Type.String({ description: "Watchlist entry name." }),
    similarity: Probability("Face similarity to the watchlist entry, at or above the configured threshold."),
  },
  {
    description: "A watchlist match; only on `watchlist_face` incidents above the threshold.",
    additionalProperties: true,
  },
);

export const IncidentStatusSchema = Type.Union(
  (
    [
      "open",
      "monitoring",
      "dismissed",
      "escalated",
      "dispatch_pending_review",
      "dispatch_authorized",
      "closed",
    ] as const
  ).map((s) => Type.Literal(s)),
  { description: "Lifecycle state." },
);

export const HistoryEntrySchema = Type.Object(
  {
    at: IsoUtc("When the step happened."),
    actor: Type.String({ description: "Who took the step: a username, `central:<command id>`, or `system`." }),
    action: Type.String({
      description:
        "What was done: `created`, `monitor`, `dismiss`, `escalate`, `request_dispatch`, `approve`, `close`.",
    }),
    before: Type.Union([IncidentStatusSchema, Type.Null()], {
      description: "Status before the step; null for creation.",
    }),
    after: IncidentStatusSchema,
    note: Type.Optional(Type.String({ description: "Free text given with the step." })),
    reason: Type.Optional(Type.String({ description: "The dismiss reason, on a `dismiss` step." })),
  },
  { description: "One lifecycle step.", additionalProperties: true },
);

export const IncidentSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, description: "Incident id (a UUID), the same in every version of the incident." }),
    version: Type.Integer({
      minimum: 1,
      description: "1 when created, +1 on every change; keep the highest you have seen.",
    }),
    camera_id: ConfigId("The camera that saw it."),
    rule: Type.String({ minLength: 1, description: "The analytics rule that raised it, e.g. `face_present`." }),
    zone: Type.Union([Type.String(), Type.Null()], {
      description: "The zone it happened in (config `cameras[].zones[].id`); null when the rule has no zones.",
    }),
    status: IncidentStatusSchema,
    confidence: Probability("Highest detection score among `objects`, 0..1 (rounded to 3 decimals)."),
    objects: Type.Array(IncidentObjectSchema, {
      description: "What the incident saw: every tracked object grouped into it (label, best score, track id).",
    }),
    started_at: IsoUtc("First frame of the episode."),
    last_seen_at: IsoUtc(
      "Last frame an object of the incident was seen in (updated as objects join and when the episode ends).",
    ),
    ended_at: Type.Union([IsoUtc("When the episode ended."), Type.Null()], {
      description: "Null while the object is still in view; set by the `incident.updated` sent when it has gone.",
    }),
    summary: Type.String({ description: "One line for people." }),
    next_step: Type.Union(
      (["monitor", "notify", "dispatch"] as const).map((s) => Type.Literal(s)),
      {
        description:
          "Recommended next step: `monitor` for a new or dismissed incident (and always below the configured minimum confidence), `notify` once escalated, `dispatch` only after a supervisor approved it.",
      },
    ),
    dismiss_reason: Type.Optional(
      Type.Union(
        DISMISS_REASONS.map((s) => Type.Literal(s)),
        { description: "Why it was dismissed; set with status `dismissed`." },
      ),
    ),
    history: Type.Array(HistoryEntrySchema, { description: "Every lifecycle step, oldest first." }),
    snapshots: Type.Optional(
      Type.Array(SnapshotRefSchema, { description: "Scene JPEGs, oldest first; absent when the rule takes none." }),
    ),
    clips: Type.Optional(
      Type.Array(ClipRefSchema, {
        description:
          "Video from `started_at - pre_roll_s` to `last_seen_at + post_roll_s`, in clips of at most `max_clip_s`, oldest first; added by `incident.updated` once each is assembled. Absent when the camera records none.",
      }),
    ),
    identity: Type.Optional(IdentitySchema),
    continues: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The incident this one continues: that one reached a cap (`rules.incident_caps`: duration or objects) while the scene was still busy, ended, and this one took over.",
      }),
    ),
    continued_by: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Set (with `ended_at`) when this incident reached a cap and ended: the id of the incident that continues it.",
      }),
    ),
  },
  {
    description: `The whole incident document (also in \`incident.updated\`). ${FORWARD_COMPATIBLE}`,
    additionalProperties: true,
  },
);

export const IncidentEnvelopeSchema = Type.Object(
  envelopeProperties(
    Type.Literal("incidents", { description: "Always `incidents`." }),
    Type.Union([Type.Literal("incident.created"), Type.Literal("incident.updated")], {
      description:
        "`incident.created` once per incident; `incident.updated` with the whole document whenever it changes (higher `version`).",
    }),
    IncidentSchema,
  ),
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("incident-envelope"),
    title: "Vigil incident message",
    description: `An envelope on <base>/incidents. ${FORWARD_COMPATIBLE}`,
    additionalProperties: true,
  },
);

// ---------------------------------------------------------------------------------------------
// Weekly KPIs

export const Counts = (description: string) =>
  Type.Record(Type.String(), Type.Integer({ minimum: 1, description: "A count." }), {
    description: `${description} Keys with no count are absent.`,
  });

export const KpiWeeklyDataSchema = Type.Object(
  {
    week: Type.String({ pattern: "^\\d{4}-W\\d{2}$", description: "ISO 8601 week (UTC), e.g. `2026-W47`." }),
    from: IsoUtc("Monday 00:00 of the week."),
    to: IsoUtc("The next Monday 00:00 (exclusive)."),
    total: Type.Integer({ minimum: 0, description: "Incidents that started in the week." }),
    by_status: Counts("Those incidents by their status when the week was published."),
    by_rule: Counts("Those incidents by rule."),
    dismissed_rate: Probability("Dismissed / total."),
    escalation_rate: Probability("Ever escalated / total."),
    time_to_decision_s: Type.Object(
      {
        decided: Type.Integer({ minimum: 0, description: "Incidents with a human decision." }),
        mean: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
          description: "Mean seconds from creation to the first human step (1 decimal); null when none.",
        }),
        p90: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
          description: "90th percentile (nearest rank) of the same; null when none.",
        }),
      },
      { description: "Time to decision.", additionalProperties: true },
    ),
    dismiss_reasons: Counts("Dismissed incidents by reason."),
    top_cameras: Type.Array(
      Type.Object(
        {
          camera_id: Type.String({ description: "Camera id." }),
          incidents: Type.Integer({ minimum: 1, description: "Its incidents in the week." }),
        },
        { description: "One camera.", additionalProperties: true },
      ),
      { description: "The five cameras with the most incidents." },
    ),
    top_zones: Type.Array(
      Type.Object(
        {
          zone: Type.String({ description: "Zone id." }),
          incidents: Type.Integer({ minimum: 1, description: "Its incidents in the week." }),
        },
        { description: "One zone.", additionalProperties: true },
      ),
      { description: "The five zones with the most incidents." },
    ),
    alert_fatigue: Probability(
      "0..1: dismissed incidents weighted by how fast they were dismissed (1 at once, 0 after 10 min), over all; see docs/incidents.md.",
    ),
    transitions: Counts("Lifecycle steps of these incidents by action (`created`, `dismiss`, `escalate`, ...)."),
  },
  {
    description: "The figures of GET /v1/metrics/summary for one ISO week, plus rules and transitions.",
    additionalProperties: true,
  },
);

export const KpiWeeklyEnvelopeSchema = Type.Object(
  envelopeProperties(
    Type.Literal("incidents", { description: "Always `incidents`." }),
    Type.Literal("kpi.weekly", { description: "The KPIs of a finished week." }),
    KpiWeeklyDataSchema,
  ),
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("kpi-weekly-envelope"),
    title: "Vigil weekly KPI message",
    description:
      "A `kpi.weekly` envelope on <base>/incidents: once per finished ISO week with incidents, after every incident message of that week. " +
      `Consumers of incident messages that do not want it ignore the type. ${FORWARD_COMPATIBLE}`,
    additionalProperties: true,
  },
);
