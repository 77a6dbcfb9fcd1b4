import { type Static, Type } from "@sinclair/typebox";
import { OUTBOX_POLICIES } from "../contract/outbox.js";

/**
 * The one source of truth for configuration: types, defaults and validation all come from here,
 * and the env override names (`VIGIL__HTTP__LISTEN`) are derived from its paths. TypeBox schemas
 * are plain JSON Schema, so the HTTP layer validates bodies with the same library.
 */
const Id = Type.String({ pattern: "^[a-z0-9_-]{1,64}$", description: "lower-case letters, digits, _ and -, at most 64" });
const HostPort = Type.String({ pattern: "^(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$", description: "host:port" });

const DetectSchema = Type.Object(
  {
    width: Type.Optional(Type.Integer({ minimum: 32, maximum: 4096 })),
    height: Type.Optional(Type.Integer({ minimum: 32, maximum: 4096 })),
    fps: Type.Number({ exclusiveMinimum: 0, maximum: 60, default: 5 }),
  },
  { additionalProperties: false, default: {} },
);

const CameraSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    url: Type.String({ pattern: "^(rtsps?|rtmp|http|https|file)://", description: "stream URL without credentials" }),
    credentials_file: Type.Optional(Type.String({ minLength: 1, description: "file in secrets_dir holding user:password" })),
    enabled: Type.Boolean({ default: true }),
    detect: DetectSchema,
  },
  { additionalProperties: false },
);

const TlsFilesSchema = Type.Object(
  { ca: Type.Optional(Type.String()), cert: Type.Optional(Type.String()), key: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    site: Id,
    gateway: Id,
    data_dir: Type.String({ minLength: 1, default: "/var/lib/vigil" }),
    secrets_dir: Type.String({ minLength: 1, default: "/etc/vigil/secrets" }),
    models_dir: Type.String({ default: "", description: "empty: the models/ directory shipped with Vigil" }),
    log: Type.Object(
      {
        level: Type.Union(["fatal", "error", "warn", "info", "debug", "trace"].map((l) => Type.Literal(l)), { default: "info" }),
        stats_interval_s: Type.Integer({ minimum: 0, maximum: 86_400, default: 60, description: "0 disables the periodic stats line" }),
      },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      { listen: Type.String({ ...HostPort, default: "127.0.0.1:8080" }) },
      { additionalProperties: false, default: {} },
    ),
    mqtt: Type.Object(
      {
        brokers: Type.Array(Type.String({ pattern: "^(mqtts?|wss?|tcp|ssl)://" }), { default: [] }),
        topic_prefix: Type.String({ pattern: "^[^#+]+$", default: "vigil" }),
        client_id: Type.String({ default: "", description: "empty: vigil-<site>-<gateway>" }),
        keepalive_s: Type.Integer({ minimum: 5, maximum: 3600, default: 30 }),
        session_expiry_s: Type.Integer({ minimum: 0, maximum: 2_592_000, default: 86_400, description: "how long the broker keeps our session (queued commands) while we are away" }),
        failback_probe_s: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 30, description: "how often a fallback broker's betters are probed" }),
        inflight_window: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
        health_interval_s: Type.Integer({ minimum: 5, maximum: 3600, default: 30, description: "retained <base>/health refresh" }),
        tls: Type.Optional(TlsFilesSchema),
        embedded: Type.Object(
          {
            enabled: Type.Boolean({ default: false }),
            listen: Type.String({ ...HostPort, default: "127.0.0.1:1883" }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    detector: Type.Object(
      {
        model: Type.String({ minLength: 1, default: "blazeface-back-256" }),
        score_threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.6 }),
        iou_threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.3 }),
        threads: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
      },
      { additionalProperties: false, default: {} },
    ),
    rules: Type.Object(
      {
        face_presence: Type.Object(
          {
            enabled: Type.Boolean({ default: true }),
            min_frames: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: "consecutive analysed frames with a face" }),
            clear_frames: Type.Integer({ minimum: 1, maximum: 10_000, default: 10, description: "frames without a face that end an episode" }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    ingest: Type.Object(
      {
        stall_timeout_s: Type.Number({ exclusiveMinimum: 0, maximum: 600, default: 10, description: "no frame for this long after the first: restart" }),
        start_timeout_s: Type.Number({ exclusiveMinimum: 0, maximum: 600, default: 20, description: "no first frame this long after launch: restart" }),
        socket_timeout_s: Type.Number({ exclusiveMinimum: 0, maximum: 600, default: 10 }),
        offline_alert_s: Type.Number({ exclusiveMinimum: 0, maximum: 86_400, default: 60, description: "no frames this long: camera.offline alert and a camera_fault incident" }),
      },
      { additionalProperties: false, default: {} },
    ),
    metrics: Type.Object(
      {
        access: Type.Union([Type.Literal("loopback"), Type.Literal("token"), Type.Literal("off")], {
          default: "loopback",
          description: "GET /metrics: loopback clients only, any client with the bearer token, or not served",
        }),
        token_file: Type.String({ default: "metrics_token", description: "in secrets_dir; used when access is token" }),
      },
      { additionalProperties: false, default: {} },
    ),
    outbox: Type.Object(
      {
        max_bytes: Type.Integer({ minimum: 1_048_576, default: 268_435_456, description: "byte budget of the on-disk queue to central" }),
        policy: Type.Union(
          OUTBOX_POLICIES.map((p) => Type.Literal(p)),
          { default: "shed-alerts-then-refuse-incidents", description: "when full: drop the oldest alerts, then refuse new incidents; audit is never dropped" },
        ),
        ttl_s: Type.Object(
          {
            incidents: Type.Integer({ minimum: 0, default: 0, description: "0 keeps unsent incidents until delivered" }),
            alerts: Type.Integer({ minimum: 0, default: 604_800 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    audit: Type.Object(
      {
        anonymise_sources: Type.Boolean({ default: false, description: "zero the last IPv4 octet / last 80 IPv6 bits of source addresses" }),
        checkpoint_interval_s: Type.Integer({ minimum: 1, maximum: 86_400, default: 300 }),
      },
      { additionalProperties: false, default: {} },
    ),
    commands: Type.Object(
      {
        key_file: Type.String({ default: "", description: "central's public key (PEM SPKI, JWK or JWKS); empty: commands are not accepted" }),
        algorithms: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ["EdDSA", "ES256"] }),
        clock_tolerance_s: Type.Integer({ minimum: 0, maximum: 300, default: 30 }),
        max_lifetime_s: Type.Integer({ minimum: 1, maximum: 86_400, default: 600 }),
      },
      { additionalProperties: false, default: {} },
    ),
    cameras: Type.Array(CameraSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export type VigilConfig = Static<typeof ConfigSchema>;
export type CameraConfig = Static<typeof CameraSchema>;

/** Secrets the daemon needs; each lives in its own file in secrets_dir (or $CREDENTIALS_DIRECTORY). */
export const REQUIRED_SECRETS = ["token_signing_key", "audit_hmac_key", "audit_checkpoint_key"] as const;
export type SecretName = (typeof REQUIRED_SECRETS)[number];
export const MIN_SECRET_BYTES = 32;
