import { type Static, type TSchema, Type } from "@sinclair/typebox";
import type { AuditEntry } from "./audit.js";
import type { CommandResult } from "./command.js";
import type { Detection, NormalizedBox } from "./detection.js";
import { type Envelope, STREAMS } from "./envelope.js";
import { DISMISS_REASONS, type Incident, type IncidentHistoryEntry, type IncidentObject, type SnapshotRef } from "./incident.js";
import { OUTBOX_POLICIES } from "./outbox.js";
import type { StatusPayload } from "./topics.js";
import type { WeeklyKpiFigures } from "./kpi.js";

/**
 * JSON Schemas of everything the gateway puts on (or takes from) MQTT, for central-server
 * developers: docs/schemas/*.json is exported from these (src/contract/schema-files.ts), and a unit test
 * fails when the committed files and these schemas differ. The TypeScript interfaces in
 * src/contract stay the source the code is written against; the type checks at the bottom of this
 * file (and, for types that live outside src/contract, in test/unit/contract-schemas.test.ts) make
 * the build fail when a schema and its interface drift apart.
 *
 * Forward compatibility: no object here sets `additionalProperties: false`. The contract says
 * consumers ignore fields they do not know, so a gateway may add fields (at the top level or in
 * `data`) without a new schema version; the documented fields stay required.
 *
 * Only standard JSON Schema keywords (draft-07 and later) are used, and no `format` (TypeBox's
 * `Value.Check` needs formats registered; other validators treat them differently): timestamps
 * are checked with a pattern instead.
 */

const SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#";
const idFor = (name: string): string => `urn:vigil:schema:${name}:1`;

const FORWARD_COMPATIBLE = "Unknown fields may appear in later versions and must be ignored.";

/** What `Date.prototype.toISOString()` writes (and what `isEnvelope` accepts): UTC, `Z` suffix. */
const IsoUtc = (description: string) =>
  Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$", description: `${description} ISO 8601, UTC (\`Z\`).` });

/** `site`, `gateway` and camera ids: what the config schema allows for them. */
const ConfigId = (description: string) => Type.String({ pattern: "^[a-z0-9_-]{1,64}$", description: `${description} Lower-case letters, digits, _ and -, at most 64.` });

const Mac = (description: string) => Type.String({ pattern: "^[0-9a-f]{64}$", description: `${description} HMAC-SHA256, 64 lower-case hex digits.` });

const Probability = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

// ---------------------------------------------------------------------------------------------
// Envelope

/** The envelope's properties in wire order, with the schemas of `stream`, `type` and `data` given. */
function envelopeProperties<S extends TSchema, T extends TSchema, D extends TSchema>(stream: S, type: T, data: D) {
  return {
    id: Type.String({ minLength: 1, description: "Unique per message and stable across retries (a UUID today): consumers dedupe on it." }),
    stream,
    seq: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "Per stream, from 1, +1 per message, no gaps, survives gateway restarts. A repeat is a duplicate (dedupe by id); a jump is loss.",
    }),
    ts: IsoUtc("When the message entered the gateway's durable outbox (not when it was sent)."),
    site: ConfigId("The gateway's site (config `site`), as in the topic."),
    gateway: ConfigId("The gateway (config `gateway`), as in the topic."),
    type,
    data,
  };
}

const StreamSchema = Type.Union(
  STREAMS.map((s) => Type.Literal(s)),
  { description: "The stream (and topic level) the message belongs to; `seq` counts per stream." },
);

export const EnvelopeSchema = Type.Object(
  envelopeProperties(
    StreamSchema,
    Type.String({ minLength: 1, description: "Dotted message type, e.g. `incident.created`; it decides the shape of `data`. Ignore types you do not know." }),
    Type.Unknown({ description: "The payload; its shape depends on `type`." }),
  ),
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("envelope"),
    title: "Vigil uplink envelope",
    description:
      "Every message on <base>/incidents, <base>/audit and <base>/alerts. Delivery is MQTT QoS 1 from a durable outbox: at-least-once, in order per stream. " +
      "Dedupe by `id`, detect loss by `seq`. " +
      FORWARD_COMPATIBLE,
    additionalProperties: true,
  },
);

// ---------------------------------------------------------------------------------------------
// Incidents

const BoxSchema = Type.Object(
  {
    x1: Type.Number({ description: "Left edge." }),
    y1: Type.Number({ description: "Top edge." }),
    x2: Type.Number({ description: "Right edge." }),
    y2: Type.Number({ description: "Bottom edge." }),
  },
  { description: "Bounding box, normalised (0..1) to the camera's full frame (origin top left).", additionalProperties: true },
);

const DetectionSchema = Type.Object(
  {
    label: Type.String({ description: "What was detected, e.g. `face`." }),
    score: Probability("Detector confidence, 0..1."),
    box: BoxSchema,
    keypoints: Type.Optional(
      Type.Array(Type.Object({ x: Type.Number({ description: "Horizontal position." }), y: Type.Number({ description: "Vertical position." }) }, { description: "One landmark.", additionalProperties: true }), {
        description: "Landmarks, normalised like `box`, where the detector gives them (faces: right eye, left eye, nose, mouth, right ear, left ear, the subject's sides).",
      }),
    ),
  },
  { description: "One detected object.", additionalProperties: true },
);

const IncidentObjectSchema = Type.Object(
  {
    ...DetectionSchema.properties,
    track_id: Type.Optional(Type.Integer({ minimum: 1, description: "The tracker's id of the object on its camera, when a rule tracked it." })),
  },
  { description: "One detected object, with its track id when tracked.", additionalProperties: true },
);

const SnapshotRefSchema = Type.Object(
  {
    file: Type.String({ minLength: 1, description: "Where the JPEG lies on the gateway, relative to data_dir: `snapshots/<incident id>/<n>.jpg`; in an evidence pack: `snapshots/<n>.jpg`." }),
    captured_at: IsoUtc("When the frame was captured."),
    sha256: Type.String({ pattern: "^[0-9a-f]{64}$", description: "SHA-256 of the JPEG, 64 lower-case hex digits." }),
    bytes: Type.Integer({ minimum: 0, description: "Size of the JPEG." }),
  },
  { description: "A scene snapshot.", additionalProperties: true },
);

const IdentitySchema = Type.Object(
  {
    person_id: Type.String({ description: "Watchlist entry id." }),
    name: Type.String({ description: "Watchlist entry name." }),
    similarity: Probability("Face similarity to the watchlist entry, at or above the configured threshold."),
  },
  { description: "A watchlist match; only on `watchlist_face` incidents above the threshold.", additionalProperties: true },
);

const IncidentStatusSchema = Type.Union(
  (["open", "monitoring", "dismissed", "escalated", "dispatch_pending_review", "dispatch_authorized", "closed"] as const).map((s) => Type.Literal(s)),
  { description: "Lifecycle state." },
);

const HistoryEntrySchema = Type.Object(
  {
    at: IsoUtc("When the step happened."),
    actor: Type.String({ description: "Who took the step: a username, `central:<command id>`, or `system`." }),
    action: Type.String({ description: "What was done: `created`, `monitor`, `dismiss`, `escalate`, `request_dispatch`, `approve`, `close`." }),
    before: Type.Union([IncidentStatusSchema, Type.Null()], { description: "Status before the step; null for creation." }),
    after: IncidentStatusSchema,
    note: Type.Optional(Type.String({ description: "Free text given with the step." })),
    reason: Type.Optional(Type.String({ description: "The dismiss reason, on a `dismiss` step." })),
  },
  { description: "One lifecycle step.", additionalProperties: true },
);

export const IncidentSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, description: "Incident id (a UUID), the same in every version of the incident." }),
    version: Type.Integer({ minimum: 1, description: "1 when created, +1 on every change; keep the highest you have seen." }),
    camera_id: ConfigId("The camera that saw it."),
    rule: Type.String({ minLength: 1, description: "The analytics rule that raised it, e.g. `face_present`." }),
    zone: Type.Union([Type.String(), Type.Null()], { description: "The zone it happened in (config `cameras[].zones[].id`); null when the rule has no zones." }),
    status: IncidentStatusSchema,
    confidence: Probability("Highest detection score among `objects`, 0..1 (rounded to 3 decimals)."),
    objects: Type.Array(IncidentObjectSchema, { description: "What the incident saw: every tracked object grouped into it (label, best score, track id)." }),
    started_at: IsoUtc("First frame of the episode."),
    last_seen_at: IsoUtc("Last frame an object of the incident was seen in (updated as objects join and when the episode ends)."),
    ended_at: Type.Union([IsoUtc("When the episode ended."), Type.Null()], { description: "Null while the object is still in view; set by the `incident.updated` sent when it has gone." }),
    summary: Type.String({ description: "One line for people." }),
    next_step: Type.Union(
      (["monitor", "notify", "dispatch"] as const).map((s) => Type.Literal(s)),
      { description: "Recommended next step: `monitor` for a new or dismissed incident (and always below the configured minimum confidence), `notify` once escalated, `dispatch` only after a supervisor approved it." },
    ),
    dismiss_reason: Type.Optional(
      Type.Union(DISMISS_REASONS.map((s) => Type.Literal(s)), { description: "Why it was dismissed; set with status `dismissed`." }),
    ),
    history: Type.Array(HistoryEntrySchema, { description: "Every lifecycle step, oldest first." }),
    snapshots: Type.Optional(Type.Array(SnapshotRefSchema, { description: "Scene JPEGs, oldest first; absent when the rule takes none." })),
    identity: Type.Optional(IdentitySchema),
  },
  { description: `The whole incident document (also in \`incident.updated\`). ${FORWARD_COMPATIBLE}`, additionalProperties: true },
);

export const IncidentEnvelopeSchema = Type.Object(
  envelopeProperties(
    Type.Literal("incidents", { description: "Always `incidents`." }),
    Type.Union([Type.Literal("incident.created"), Type.Literal("incident.updated")], {
      description: "`incident.created` once per incident; `incident.updated` with the whole document whenever it changes (higher `version`).",
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
// Audit

export const AuditEntryDataSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "Position in the gateway's audit chain, from 1, no gaps (independent of the envelope's seq)." }),
    ts: IsoUtc("When the action was recorded."),
    actor: Type.String({ minLength: 1, description: "Who: a username, `camera:<id>`, `central` (signed command) or `system`." }),
    source: Type.Optional(Type.String({ description: "Source address of the request, if any (anonymised when `audit.anonymise_sources` is set)." })),
    action: Type.String({ minLength: 1, description: "Dotted verb, e.g. `system.start`, `command.received`, `auth.login`." }),
    target: Type.String({ minLength: 1, description: "What was acted on, e.g. `gateway:<site>/<gateway>`, `command:<id>`, `incident:<id>`." }),
    result: Type.Union([Type.Literal("ok"), Type.Literal("denied"), Type.Literal("error")], { description: "Outcome: `denied` is a refusal, `error` a failure." }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Action-specific details (plain JSON object)." })),
    prev_mac: Mac("`mac` of the entry before; for entry 1, HMAC(key, `vigil-audit-genesis:` + JCS({site, gateway}))."),
    mac: Mac("HMAC(key, prev_mac + JCS(this entry without `mac`))."),
  },
  {
    description:
      "One entry of the tamper-evident audit chain, exactly as stored on the gateway. The MAC covers every field but `mac`, as RFC 8785 (JCS) text, " +
      "so verify over the fields received, unknown ones included.",
    additionalProperties: true,
  },
);

export const AuditEntryEnvelopeSchema = Type.Object(
  envelopeProperties(
    Type.Literal("audit", { description: "Always `audit`." }),
    Type.Literal("audit.entry", { description: "One audit entry; `data` is the entry." }),
    AuditEntryDataSchema,
  ),
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("audit-entry-envelope"),
    title: "Vigil audit entry message",
    description: `An \`audit.entry\` envelope on <base>/audit: one per audit entry, written in the same durable batch as the entry. ${FORWARD_COMPATIBLE}`,
    additionalProperties: true,
  },
);

export const CheckpointDataSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "Audit seq of the chain head that was signed (0: empty chain)." }),
    mac: Mac("`mac` of that head entry (the genesis MAC when seq is 0)."),
    ts: IsoUtc("When the checkpoint was signed."),
    jws: Type.String({
      pattern: "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$",
      description:
        "Compact JWS, alg EdDSA (Ed25519), typ `vigil-audit-checkpoint`, kid = RFC 7638 thumbprint of the gateway's checkpoint key; " +
        "payload = JCS of {site, gateway, seq, mac, ts}. Trust seq, mac and ts from the verified payload, not from the fields beside it.",
    }),
  },
  { description: "A signed checkpoint of the audit chain head.", additionalProperties: true },
);

export const AuditCheckpointEnvelopeSchema = Type.Object(
  envelopeProperties(
    Type.Literal("audit", { description: "Always `audit`." }),
    Type.Literal("audit.checkpoint", { description: "A signed checkpoint of the audit chain head; `data` is the checkpoint." }),
    CheckpointDataSchema,
  ),
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("audit-checkpoint-envelope"),
    title: "Vigil audit checkpoint message",
    description:
      "An `audit.checkpoint` envelope on <base>/audit: every `audit.checkpoint_interval_s` (default 300) when the chain head moved, at the first interval after each start even if it did not, " +
      `and on the \`audit.checkpoint\` command. ${FORWARD_COMPATIBLE}`,
    additionalProperties: true,
  },
);

// ---------------------------------------------------------------------------------------------
// Weekly KPIs

const Counts = (description: string) => Type.Record(Type.String(), Type.Integer({ minimum: 1, description: "A count." }), { description: `${description} Keys with no count are absent.` });

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
        mean: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: "Mean seconds from creation to the first human step (1 decimal); null when none." }),
        p90: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: "90th percentile (nearest rank) of the same; null when none." }),
      },
      { description: "Time to decision.", additionalProperties: true },
    ),
    dismiss_reasons: Counts("Dismissed incidents by reason."),
    top_cameras: Type.Array(Type.Object({ camera_id: Type.String({ description: "Camera id." }), incidents: Type.Integer({ minimum: 1, description: "Its incidents in the week." }) }, { description: "One camera.", additionalProperties: true }), { description: "The five cameras with the most incidents." }),
    top_zones: Type.Array(Type.Object({ zone: Type.String({ description: "Zone id." }), incidents: Type.Integer({ minimum: 1, description: "Its incidents in the week." }) }, { description: "One zone.", additionalProperties: true }), { description: "The five zones with the most incidents." }),
    alert_fatigue: Probability("0..1: dismissed incidents weighted by how fast they were dismissed (1 at once, 0 after 10 min), over all; see docs/incidents.md."),
    transitions: Counts("Lifecycle steps of these incidents by action (`created`, `dismiss`, `escalate`, ...)."),
  },
  { description: "The figures of GET /v1/metrics/summary for one ISO week, plus rules and transitions.", additionalProperties: true },
);

export const KpiWeeklyEnvelopeSchema = Type.Object(
  envelopeProperties(Type.Literal("incidents", { description: "Always `incidents`." }), Type.Literal("kpi.weekly", { description: "The KPIs of a finished week." }), KpiWeeklyDataSchema),
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

// ---------------------------------------------------------------------------------------------
// Alerts

export const OutboxFullDataSchema = Type.Object(
  {
    policy: Type.Union(
      OUTBOX_POLICIES.map((p) => Type.Literal(p)),
      { description: "The full-outbox policy in force (config `outbox.policy`)." },
    ),
    max_bytes: Type.Integer({ minimum: 0, description: "The outbox's byte budget (config `outbox.max_bytes`)." }),
    used_bytes: Type.Integer({ minimum: 0, description: "Bytes queued when the message was refused." }),
    refused: Type.Object(
      {
        stream: StreamSchema,
        type: Type.String({ minLength: 1, description: "The `type` of the refused message, e.g. `incident.created`." }),
      },
      { description: "The first message refused since the last `outbox.full` alert (at most one alert a minute).", additionalProperties: true },
    ),
  },
  { description: "The outbox reached its byte budget and refused a message; the refused message is gone.", additionalProperties: true },
);

export const OutboxFullAlertEnvelopeSchema = Type.Object(
  envelopeProperties(
    Type.Literal("alerts", { description: "Always `alerts`." }),
    Type.Literal("outbox.full", { description: "The gateway is refusing data because its outbox is full." }),
    OutboxFullDataSchema,
  ),
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("alert-outbox-full-envelope"),
    title: "Vigil outbox.full alert",
    description:
      "An `outbox.full` envelope on <base>/alerts: the gateway's outbox reached `outbox.max_bytes` with no alert left to drop and refused a new message " +
      `(an incident, under the default policy). Sent at most once a minute; it bypasses the budget itself. ${FORWARD_COMPATIBLE}`,
    additionalProperties: true,
  },
);

// ---------------------------------------------------------------------------------------------
// Status

export const StatusSchema = Type.Object(
  {
    state: Type.Union([Type.Literal("online"), Type.Literal("offline"), Type.Literal("stopped")], {
      description: "`online`: published on every connection; `offline`: the will, published by the broker when the gateway vanishes; `stopped`: clean shutdown.",
    }),
    ts: IsoUtc("When the gateway built this payload (for `offline`: when it connected, since the will is registered at connect)."),
    version: Type.String({ description: "Vigil version of the gateway (package version, semver)." }),
  },
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("status"),
    title: "Vigil gateway status",
    description: `The retained payload of <base>/status (QoS 1), also the MQTT last will. Not an envelope. ${FORWARD_COMPATIBLE}`,
    additionalProperties: true,
  },
);

// ---------------------------------------------------------------------------------------------
// Commands

export const CommandSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128, description: "Unique per command; the gateway runs an id at most once and replays the first result for a retry. Printable ASCII recommended." }),
    name: Type.String({ pattern: "^[a-z][a-z0-9_.-]{0,63}$", description: "The command; must equal the <name> level of the cmd/<name> topic it is published on." }),
    aud: Type.String({ minLength: 1, maxLength: 200, description: "`<site>/<gateway>` of the one gateway the command is for; every other gateway refuses it." }),
    iat: Type.Number({ description: "Issued at, seconds since the epoch; not more than `commands.clock_tolerance_s` (default 30) in the gateway's future." }),
    exp: Type.Number({
      description: "Expires at, seconds since the epoch; after iat, at most `commands.max_lifetime_s` (default 600) after it, and refused once past (with the clock tolerance).",
    }),
    args: Type.Object({}, { additionalProperties: true, description: "The command's arguments; required, `{}` when it has none." }),
  },
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("command"),
    title: "Vigil command (JWS payload)",
    description:
      "The JSON payload of the compact JWS central publishes on <base>/cmd/<name> (QoS 1). Signed with an asymmetric key whose public half the gateway holds " +
      "(`commands.key_file`); `alg` one of `commands.algorithms` (default EdDSA, ES256). Unknown claims are ignored.",
    additionalProperties: true,
  },
);

const CommandErrorSchema = Type.Object(
  {
    code: Type.String({ pattern: "^VIGIL_E_[A-Z0-9_]+$", description: "Stable error code (`VIGIL_E_COMMAND_*` and others): match on it." }),
    message: Type.String({ description: "For people; may change between versions." }),
  },
  { description: "Why the command was refused or failed.", additionalProperties: true },
);

const resultId = Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
  description: "The command's `id`; null only when the command was refused before an id could be read from it.",
});

export const CommandResultSchema = Type.Union(
  [
    Type.Object(
      {
        id: resultId,
        ok: Type.Literal(true, { description: "The command ran; its handler returned normally." }),
        data: Type.Optional(Type.Unknown({ description: "What the command returned (plain JSON), if anything." })),
      },
      { title: "success", additionalProperties: true },
    ),
    Type.Object(
      {
        id: resultId,
        ok: Type.Literal(false, { description: "The command was refused, or ran and failed." }),
        error: CommandErrorSchema,
      },
      { title: "failure", additionalProperties: true },
    ),
  ],
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("command-result"),
    title: "Vigil command result",
    description: `What the gateway publishes on <base>/cmd_result/<name> (QoS 1) for every command received on <base>/cmd/<name>. Not an envelope. ${FORWARD_COMPATIBLE}`,
  },
);

// ---------------------------------------------------------------------------------------------
// Compile-time checks: a schema and the interface the code uses must describe the same shape.

/** Interfaces use readonly arrays; TypeBox's Static uses mutable ones. Compare like with like. */
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
/** Each assignable to the other, with the same keys (so an optional field cannot go missing on one side). */
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
/** Static of a schema that is narrower than the interface (literal `type`, a union for the result). */
type Narrows<Schema, Iface> = [Schema] extends [Iface] ? true : false;
type Assert<T extends true> = T;

export type SchemaTypeChecks = [
  Assert<SameShape<DeepReadonly<Static<typeof EnvelopeSchema>>, Envelope>>,
  Assert<SameShape<DeepReadonly<Static<typeof IncidentSchema>>, Incident>>,
  Assert<SameShape<DeepReadonly<Static<typeof HistoryEntrySchema>>, IncidentHistoryEntry>>,
  Assert<SameShape<DeepReadonly<Static<typeof DetectionSchema>>, Detection>>,
  Assert<SameShape<DeepReadonly<Static<typeof IncidentObjectSchema>>, IncidentObject>>,
  Assert<SameShape<DeepReadonly<Static<typeof SnapshotRefSchema>>, SnapshotRef>>,
  Assert<SameShape<DeepReadonly<Static<typeof BoxSchema>>, NormalizedBox>>,
  Assert<SameShape<DeepReadonly<Static<typeof IncidentEnvelopeSchema>>, Omit<Envelope<Incident>, "stream" | "type"> & { readonly stream: "incidents"; readonly type: "incident.created" | "incident.updated" }>>,
  Assert<SameShape<DeepReadonly<Static<typeof AuditEntryDataSchema>>, AuditEntry>>,
  Assert<SameShape<DeepReadonly<Static<typeof AuditEntryEnvelopeSchema>>, Omit<Envelope<AuditEntry>, "stream" | "type"> & { readonly stream: "audit"; readonly type: "audit.entry" }>>,
  Assert<SameShape<DeepReadonly<Static<typeof StatusSchema>>, StatusPayload>>,
  Assert<SameShape<DeepReadonly<Static<typeof KpiWeeklyDataSchema>>, WeeklyKpiFigures>>,
  // The schema states what the code guarantees (error exactly when ok is false), which the
  // interface does not: every result the schema allows is a CommandResult.
  Assert<Narrows<DeepReadonly<Static<typeof CommandResultSchema>>, CommandResult>>,
  Assert<SameShape<DeepReadonly<Static<typeof CommandErrorSchema>>, NonNullable<CommandResult["error"]>>>,
];

