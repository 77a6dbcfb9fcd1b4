import { type Static, type TSchema, Type } from "@sinclair/typebox";
import type { ProviderStatus } from "../../inference/providers/provider-chain.js";
import type { SystemSample } from "../../health/system-sample.js";
import type { OutboxStats } from "../../store/outbox.js";
import type { Agree, Assert, Describes } from "./schema-agreement.js";

// Answers of `GET /v1/health` and `GET /v1/providers`, for OpenAPI and the console's typed client.
// The health document is open (the same document goes to central over MQTT and grows there first):
// each object names what a field tech's page reads and lets the rest through (additionalProperties),
// because a fastify response schema drops every property it does not name.

const open = { additionalProperties: true } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const ProviderStateSchema = Type.Union([Type.Literal("healthy"), Type.Literal("degraded"), Type.Literal("unhealthy")]);

export const ProviderHealthSchema = Type.Object({
  id: Type.String(),
  backend: Type.String(),
  model: Type.String(),
  state: ProviderStateSchema,
  loaded: Type.Boolean(),
  runs: Type.Integer(),
  failures: Type.Integer(),
  failures_in_window: Type.Integer(),
  consecutive_failures: Type.Integer(),
  ewma_ms: Nullable(Type.Number()),
  last_ms: Nullable(Type.Number()),
  load_ms: Nullable(Type.Number()),
  warmup_ms: Nullable(Type.Number()),
  last_error: Nullable(Type.String()),
  last_error_at: Nullable(Type.String({ description: "ISO 8601." })),
  down_until: Nullable(Type.String({ description: "ISO 8601: the provider is skipped until then." })),
});
export type ProviderAgreement = Assert<Agree<Static<typeof ProviderHealthSchema>, ProviderStatus>>;

export const ProvidersResponse = Type.Object({ providers: Type.Array(ProviderHealthSchema) });

export const CameraHealthSchema = Type.Object(
  {
    state: Type.Union(["starting", "online", "stalled", "backoff", "offline", "disabled"].map((s) => Type.Literal(s))),
    camera_fps: Type.Optional(Type.Number({ description: "Decoded frames per second over the last minute." })),
    process_fps: Type.Optional(Type.Number({ description: "Analysed frames per second over the last minute." })),
    connection_quality: Type.Optional(
      Type.Union([Type.Literal("excellent"), Type.Literal("fair"), Type.Literal("poor"), Type.Literal("unusable")]),
    ),
    reconnects_last_hour: Type.Optional(Type.Integer()),
    stalls_last_hour: Type.Optional(Type.Integer()),
    restarts: Type.Integer(),
    stalls: Type.Integer(),
    last_frame_at: Nullable(Type.String()),
    last_error: Nullable(Type.String()),
    last_error_kind: Nullable(
      Type.String({
        description: "unauthorized, not_found, unreachable, timeout, no_video, bad_stream, hwaccel, ended, failed",
      }),
    ),
    snapshots: Type.Integer(),
  },
  open,
);

const CertificateHealthSchema = Type.Object(
  {
    name: Type.String(),
    kind: Type.String(),
    not_after: Type.String(),
    days_left: Type.Integer(),
    status: Type.String(),
  },
  open,
);

const NullableNumber = Nullable(Type.Number());
export const SystemSampleSchema = Type.Object({
  sampled_at: Type.String(),
  sample_ms: Type.Number(),
  cpu: Type.Object({ cores: Type.Integer(), load_percent: NullableNumber, load_average: Type.Array(Type.Number()) }),
  memory: Type.Object({
    total_bytes: Type.Number(),
    available_bytes: Type.Number(),
    process_rss_bytes: Type.Number(),
    process_heap_used_bytes: Type.Number(),
  }),
  disk: Type.Union([
    Type.Object({
      path: Type.String(),
      mount: Type.String(),
      total_bytes: Type.Number(),
      free_bytes: Type.Number(),
      free_percent: Type.Number(),
    }),
    Type.Null(),
  ]),
  store_bytes: NullableNumber,
  temperatures: Type.Object({ cpu_main_c: NullableNumber, cpu_max_c: NullableNumber }),
  gpus: Type.Array(
    Type.Object({
      model: Type.String(),
      vendor: Type.String(),
      utilization_percent: NullableNumber,
      memory_used_mb: NullableNumber,
      memory_total_mb: NullableNumber,
      temperature_c: NullableNumber,
    }),
  ),
  errors: Type.Array(Type.String()),
});
export type SystemAgreement = Assert<Agree<Static<typeof SystemSampleSchema>, SystemSample>>;

const PerStream = <T extends TSchema>(t: T) => Type.Record(Type.String(), t);
const OutboxHealthSchema = Type.Object(
  {
    max_bytes: Type.Number(),
    used_bytes: Type.Number(),
    depth: PerStream(Type.Integer()),
    oldest_age_s: PerStream(NullableNumber),
    refused: Type.Integer(),
  },
  open,
);
export type OutboxAgreement = Describes<Static<typeof OutboxHealthSchema>, OutboxStats>;

/** `GET /v1/health`: the health document (docs/mqtt.md "health"). */
export const HealthDocumentSchema = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("degraded"), Type.Literal("failing")]),
    reasons: Type.Array(Type.String()),
    version: Type.String(),
    uptime_s: Type.Number(),
    cameras: Type.Record(Type.String(), CameraHealthSchema, { description: "By camera id." }),
    detector: Type.Object(
      {
        model: Type.String(),
        provider: Type.String(),
        runs: Type.Integer(),
        last_ms: NullableNumber,
        mean_ms: NullableNumber,
        ms_per_frame: NullableNumber,
      },
      open,
    ),
    providers: Type.Array(ProviderHealthSchema),
    uplink: Type.Union([
      Type.Object(
        {
          connected: Type.Boolean(),
          broker: Nullable(Type.String()),
          brokers: Type.Array(
            Type.Object({ url: Type.String(), state: Type.String(), last_error: Nullable(Type.String()) }, open),
          ),
        },
        open,
      ),
      Type.Null(),
    ]),
    outbox: OutboxHealthSchema,
    certificates: Type.Array(CertificateHealthSchema),
    system: Type.Union([SystemSampleSchema, Type.Null()]),
  },
  open,
);
