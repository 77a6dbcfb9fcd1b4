import { type Static, Type } from "@sinclair/typebox";
import type { AuditEntry } from "./audit.js";
import type { CommandResult } from "./command.js";
import type { Detection, NormalizedBox } from "./detection.js";
import type { Envelope } from "./envelope.js";
import type { ClipRef, Incident, IncidentHistoryEntry, IncidentObject, SnapshotRef } from "./incident.js";
import { OUTBOX_POLICIES } from "./outbox.js";
import type { StatusPayload } from "./topics.js";
import type { WeeklyKpiFigures } from "./kpi.js";
import type {
  BoxSchema,
  ClipRefSchema,
  DetectionSchema,
  HistoryEntrySchema,
  IncidentEnvelopeSchema,
  IncidentObjectSchema,
  IncidentSchema,
  KpiWeeklyDataSchema,
  SnapshotRefSchema,
} from "./incident-schemas.js";
import {
  type EnvelopeSchema,
  envelopeProperties,
  FORWARD_COMPATIBLE,
  idFor,
  IsoUtc,
  Mac,
  SCHEMA_DIALECT,
  StreamSchema,
} from "./schema-kit.js";

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

export { EnvelopeSchema } from "./schema-kit.js";
export {
  IncidentEnvelopeSchema,
  IncidentSchema,
  KpiWeeklyDataSchema,
  KpiWeeklyEnvelopeSchema,
} from "./incident-schemas.js";

// ---------------------------------------------------------------------------------------------
// Audit

export const AuditEntryDataSchema = Type.Object(
  {
    seq: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "Position in the gateway's audit chain, from 1, no gaps (independent of the envelope's seq).",
    }),
    ts: IsoUtc("When the action was recorded."),
    actor: Type.String({
      minLength: 1,
      description: "Who: a username, `camera:<id>`, `central` (signed command) or `system`.",
    }),
    source: Type.Optional(
      Type.String({
        description: "Source address of the request, if any (anonymised when `audit.anonymise_sources` is set).",
      }),
    ),
    action: Type.String({
      minLength: 1,
      description: "Dotted verb, e.g. `system.start`, `command.received`, `auth.login`.",
    }),
    target: Type.String({
      minLength: 1,
      description: "What was acted on, e.g. `gateway:<site>/<gateway>`, `command:<id>`, `incident:<id>`.",
    }),
    result: Type.Union([Type.Literal("ok"), Type.Literal("denied"), Type.Literal("error")], {
      description: "Outcome: `denied` is a refusal, `error` a failure.",
    }),
    details: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: "Action-specific details (plain JSON object)." }),
    ),
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
    seq: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "Audit seq of the chain head that was signed (0: empty chain).",
    }),
    mac: Mac("`mac` of that head entry (the genesis MAC when seq is 0)."),
    ts: IsoUtc("When the checkpoint was signed."),
    chain: Type.Optional(
      Type.String({
        pattern: "^[0-9a-f]{64}$",
        description:
          'Public SHA-256 hash chain head at `seq` over the JCS of each whole audit entry (docs/central.md, "Audit verification"); absent from checkpoints signed before it existed.',
      }),
    ),
    jws: Type.String({
      pattern: "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$",
      description:
        "Compact JWS, alg EdDSA (Ed25519), typ `vigil-audit-checkpoint`, kid = RFC 7638 thumbprint of the gateway's checkpoint key; " +
        "payload = JCS of {site, gateway, seq, mac, ts, chain?}. Trust seq, mac, ts and chain from the verified payload, not from the fields beside it.",
    }),
  },
  { description: "A signed checkpoint of the audit chain head.", additionalProperties: true },
);

export const AuditCheckpointEnvelopeSchema = Type.Object(
  envelopeProperties(
    Type.Literal("audit", { description: "Always `audit`." }),
    Type.Literal("audit.checkpoint", {
      description: "A signed checkpoint of the audit chain head; `data` is the checkpoint.",
    }),
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
      {
        description: "The first message refused since the last `outbox.full` alert (at most one alert a minute).",
        additionalProperties: true,
      },
    ),
  },
  {
    description: "The outbox reached its byte budget and refused a message; the refused message is gone.",
    additionalProperties: true,
  },
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
      description:
        "`online`: published on every connection; `offline`: the will, published by the broker when the gateway vanishes; `stopped`: clean shutdown.",
    }),
    ts: IsoUtc(
      "When the gateway built this payload (for `offline`: when it connected, since the will is registered at connect).",
    ),
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
    id: Type.String({
      minLength: 1,
      maxLength: 128,
      description:
        "Unique per command; the gateway runs an id at most once and replays the first result for a retry. Printable ASCII recommended.",
    }),
    name: Type.String({
      pattern: "^[a-z][a-z0-9_.-]{0,63}$",
      description: "The command; must equal the <name> level of the cmd/<name> topic it is published on.",
    }),
    aud: Type.String({
      minLength: 1,
      maxLength: 200,
      description: "`<site>/<gateway>` of the one gateway the command is for; every other gateway refuses it.",
    }),
    iat: Type.Number({
      description:
        "Issued at, seconds since the epoch; not more than `commands.clock_tolerance_s` (default 30) in the gateway's future.",
    }),
    exp: Type.Number({
      description:
        "Expires at, seconds since the epoch; after iat, at most `commands.max_lifetime_s` (default 600) after it, and refused once past (with the clock tolerance).",
    }),
    args: Type.Object(
      {},
      { additionalProperties: true, description: "The command's arguments; required, `{}` when it has none." },
    ),
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
    code: Type.String({
      pattern: "^VIGIL_E_[A-Z0-9_]+$",
      description: "Stable error code (`VIGIL_E_COMMAND_*` and others): match on it.",
    }),
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
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
/** Each assignable to the other, with the same keys (so an optional field cannot go missing on one side). */
type SameShape<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
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
  Assert<SameShape<DeepReadonly<Static<typeof ClipRefSchema>>, ClipRef>>,
  Assert<SameShape<DeepReadonly<Static<typeof BoxSchema>>, NormalizedBox>>,
  Assert<
    SameShape<
      DeepReadonly<Static<typeof IncidentEnvelopeSchema>>,
      Omit<Envelope<Incident>, "stream" | "type"> & {
        readonly stream: "incidents";
        readonly type: "incident.created" | "incident.updated";
      }
    >
  >,
  Assert<SameShape<DeepReadonly<Static<typeof AuditEntryDataSchema>>, AuditEntry>>,
  Assert<
    SameShape<
      DeepReadonly<Static<typeof AuditEntryEnvelopeSchema>>,
      Omit<Envelope<AuditEntry>, "stream" | "type"> & { readonly stream: "audit"; readonly type: "audit.entry" }
    >
  >,
  Assert<SameShape<DeepReadonly<Static<typeof StatusSchema>>, StatusPayload>>,
  Assert<SameShape<DeepReadonly<Static<typeof KpiWeeklyDataSchema>>, WeeklyKpiFigures>>,
  // The schema states what the code guarantees (error exactly when ok is false), which the
  // interface does not: every result the schema allows is a CommandResult.
  Assert<Narrows<DeepReadonly<Static<typeof CommandResultSchema>>, CommandResult>>,
  Assert<SameShape<DeepReadonly<Static<typeof CommandErrorSchema>>, NonNullable<CommandResult["error"]>>>,
];
