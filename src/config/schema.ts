import { type Static, Type } from "@sinclair/typebox";
import { OUTBOX_POLICIES } from "../contract/outbox.js";
import { CameraSchema, type MotionSchema, type SnapshotSchema, type ZoneSchema } from "./camera-schema.js";
import { AuthSchema } from "./auth-schema.js";
import { ClipsSchema } from "./clips-schema.js";
import { FacesSchema } from "./faces-schema.js";
import { LiveViewSchema } from "./live-view-schema.js";
import { RulesSchema, type ZoneRuleSchema } from "./rules-schema.js";
import { HostPort, Id } from "./schema-primitives.js";

export { CameraSchema } from "./camera-schema.js";

/**
 * The one source of truth for configuration: types, defaults and validation all come from here,
 * and the env override names (`VIGIL__HTTP__LISTEN`) are derived from its paths. TypeBox schemas
 * are plain JSON Schema, so the HTTP layer validates bodies with the same library.
 */

const ServerTlsSchema = Type.Object(
  {
    cert: Type.String({
      minLength: 1,
      description: "server certificate chain (PEM); relative paths are under certs_dir",
    }),
    key: Type.String({ minLength: 1, description: "its private key (PEM, mode 0600)" }),
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
        level: Type.Union(
          ["fatal", "error", "warn", "info", "debug", "trace"].map((l) => Type.Literal(l)),
          { default: "info" },
        ),
        stats_interval_s: Type.Integer({
          minimum: 0,
          maximum: 86_400,
          default: 60,
          description: "0 disables the periodic stats line",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    certs_dir: Type.String({
      minLength: 1,
      default: "/etc/vigil/certs",
      description: "site CA, CRL and issued certificates (vigil cert)",
    }),
    http: Type.Object(
      {
        listen: Type.String({ ...HostPort, default: "127.0.0.1:8080" }),
        tls: Type.Optional(ServerTlsSchema),
        allow_plain_http: Type.Boolean({
          default: false,
          description: "serve plain HTTP on a non-loopback address; off: refused at start",
        }),
        console: Type.Boolean({ default: true, description: "serve the web console at GET / (same origin as /v1)" }),
        body_limit_bytes: Type.Integer({
          minimum: 1024,
          maximum: 16_777_216,
          default: 65_536,
          description: "JSON request bodies",
        }),
        frame_limit_bytes: Type.Integer({
          minimum: 1024,
          maximum: 67_108_864,
          default: 4_194_304,
          description: "JPEG frames pushed by cameras",
        }),
        camera_tls: Type.Object(
          {
            listen: Type.String({
              default: "",
              description: "host:port of the HTTPS listener that asks cameras for client certificates; empty: off",
            }),
            cert: Type.String({ default: "server.crt", description: "server certificate (PEM), under certs_dir" }),
            key: Type.String({ default: "server.key", description: "its private key, under certs_dir" }),
            ca: Type.String({
              default: "ca.crt",
              description: "the site CA that camera certificates must chain to, under certs_dir",
            }),
            crl: Type.String({
              default: "ca.crl",
              description: "the site CA's CRL, under certs_dir; reloaded when it changes",
            }),
            reload_interval_s: Type.Number({
              exclusiveMinimum: 0,
              maximum: 3600,
              default: 5,
              description: "how often CA and CRL files are checked for changes",
            }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: AuthSchema,
    mqtt: Type.Object(
      {
        brokers: Type.Array(Type.String({ pattern: "^(mqtts?|wss?|tcp|ssl)://" }), { default: [] }),
        topic_prefix: Type.String({ pattern: "^[^#+]+$", default: "vigil" }),
        client_id: Type.String({ default: "", description: "empty: vigil-<site>-<gateway>" }),
        keepalive_s: Type.Integer({ minimum: 5, maximum: 3600, default: 30 }),
        session_expiry_s: Type.Integer({
          minimum: 0,
          maximum: 2_592_000,
          default: 86_400,
          description: "how long the broker keeps our session (queued commands) while we are away",
        }),
        failback_probe_s: Type.Number({
          exclusiveMinimum: 0,
          maximum: 3600,
          default: 30,
          description: "how often a fallback broker's betters are probed",
        }),
        inflight_window: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
        health_interval_s: Type.Integer({
          minimum: 5,
          maximum: 3600,
          default: 30,
          description: "retained <base>/health refresh",
        }),
        tls: Type.Optional(TlsFilesSchema),
        allow_plain: Type.Boolean({
          default: false,
          description:
            "accept plaintext broker URLs (mqtt://, tcp://, ws://) on network addresses; off: refused at start (loopback is always allowed)",
        }),
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
        model: Type.String({
          minLength: 1,
          default: "nanodet-g-416",
          description:
            "manifest id: an object-detection model (NanoDet-g by default; an imported YOLOv8/YOLO11 export for better accuracy) or a face-detection model (BlazeFace)",
        }),
        score_threshold: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.35,
          description: "minimum detection score; NanoDet-g scores real people 0.4-0.75, BlazeFace wants about 0.6",
        }),
        iou_threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.3 }),
        threads: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
        labels: Type.Array(Type.String({ minLength: 1 }), {
          default: ["person", "car", "truck", "bus", "motorcycle", "bicycle"],
          description: "object detectors: the model labels to report; other classes are never decoded",
        }),
        label_thresholds: Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0, maximum: 1 }), {
          default: {},
          description: "object detectors: per-label minimum score, overriding score_threshold (e.g. {person: 0.35})",
        }),
        min_area: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0,
          description: "object detectors: smallest box kept, as a share of the frame area",
        }),
        max_area: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 1,
          description: "object detectors: largest box kept, as a share of the frame area",
        }),
        max_detections: Type.Integer({
          minimum: 1,
          maximum: 1000,
          default: 100,
          description: "object detectors: most detections reported per frame",
        }),
        providers: Type.Array(
          Type.Union([Type.Literal("cpu"), Type.Literal("cuda"), Type.Literal("tensorrt"), Type.Literal("webgpu")]),
          {
            minItems: 1,
            uniqueItems: true,
            default: ["cpu"],
            description:
              "execution providers in priority order; a provider that fails is skipped (e.g. [cuda, cpu] on a GPU box, see docs/inference.md)",
          },
        ),
        deadline_ms: Type.Integer({
          minimum: 1,
          maximum: 600_000,
          default: 1000,
          description:
            "an inference taking longer counts as a provider failure and the frame goes to the next provider",
        }),
        cooldown_s: Type.Integer({
          minimum: 1,
          maximum: 86_400,
          default: 300,
          description: "how long an unhealthy provider is left out before it is probed again",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    rules: RulesSchema,
    clips: ClipsSchema,
    faces: FacesSchema,
    incidents: Type.Object(
      {
        min_confidence: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.5,
          description: "below this, the only next step an incident may recommend is monitor",
        }),
        retention_days: Type.Integer({
          minimum: 0,
          maximum: 36_500,
          default: 365,
          description: "dismissed and closed incidents older than this are deleted; 0 keeps them by age",
        }),
        retention_max_bytes: Type.Integer({
          minimum: 0,
          default: 536_870_912,
          description: "stored incidents above this: the oldest finished ones go first; 0 = no budget",
        }),
        retention_interval_s: Type.Integer({ minimum: 60, maximum: 86_400, default: 3600 }),
        clips_max_bytes: Type.Integer({
          minimum: 0,
          default: 10_737_418_240,
          description:
            "incident clips above this: clips of the oldest finished incidents go first (never those of open or under-review incidents); 0 = no budget",
        }),
        kpi_weekly_check_s: Type.Integer({
          minimum: 60,
          maximum: 86_400,
          default: 3600,
          description: "how often finished weeks are looked for and published as kpi.weekly",
        }),
        decision_sla_s: Type.Integer({
          minimum: 10,
          maximum: 86_400,
          default: 300,
          description: "how long an open incident may wait for a human decision before the console shows it as overdue",
        }),
        allow_self_approval: Type.Boolean({
          default: false,
          description:
            "let a supervisor approve a dispatch they requested themselves (one-person sites only: it switches the four-eyes rule off, and is logged at start)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    ingest: Type.Object(
      {
        stall_timeout_s: Type.Number({
          exclusiveMinimum: 0,
          maximum: 600,
          default: 10,
          description: "no frame for this long after the first: restart",
        }),
        start_timeout_s: Type.Number({
          exclusiveMinimum: 0,
          maximum: 600,
          default: 20,
          description: "no first frame this long after launch: restart",
        }),
        socket_timeout_s: Type.Number({ exclusiveMinimum: 0, maximum: 600, default: 10 }),
        offline_alert_s: Type.Number({
          exclusiveMinimum: 0,
          maximum: 86_400,
          default: 60,
          description: "no frames this long: camera.offline alert and a camera_fault incident",
        }),
        probe_timeout_s: Type.Number({
          exclusiveMinimum: 0,
          maximum: 120,
          default: 10,
          description: "how long ffprobe may take to read a camera's codec, size and fps when it is added at runtime",
        }),
        allow_file_urls: Type.Boolean({
          default: false,
          description:
            "accept file:// camera URLs from the API and CLI (they read the box's own files: demos and tests only); the config file's cameras are the installer's and may use them",
        }),
        shedding: Type.Object(
          {
            enabled: Type.Boolean({
              default: true,
              description: "lower the detect fps of the busiest cameras when the detector cannot keep up",
            }),
            interval_s: Type.Number({
              minimum: 1,
              maximum: 600,
              default: 5,
              description: "how often the detector's load is judged",
            }),
            min_fps: Type.Number({
              exclusiveMinimum: 0,
              maximum: 60,
              default: 0.5,
              description: "no camera is shed below this detect fps",
            }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    health: Type.Object(
      {
        system_interval_s: Type.Number({
          minimum: 1,
          maximum: 3600,
          default: 15,
          description: "how often CPU, memory, disk, temperatures and GPU are sampled (in the background)",
        }),
        disk_low_percent: Type.Number({
          minimum: 0,
          maximum: 100,
          default: 10,
          description: "free space on the data volume below this: health is degraded",
        }),
        memory: Type.Object(
          {
            budget_mib: Type.Integer({
              minimum: 64,
              maximum: 1_048_576,
              default: 1024,
              description: "the daemon's RSS above this: health is degraded and a memory.degraded alert goes out",
            }),
            max_slope_mib_per_min: Type.Number({
              exclusiveMinimum: 0,
              maximum: 1024,
              default: 0.5,
              description: "RSS growing faster than this (least squares over the last hour)...",
            }),
            sustained_s: Type.Integer({
              minimum: 60,
              maximum: 3600,
              default: 2700,
              description:
                "...over readings spanning at least this long: health is degraded and a memory.degraded alert goes out",
            }),
            sample_s: Type.Integer({
              minimum: 1,
              maximum: 600,
              default: 30,
              description: "how often the daemon's RSS is read",
            }),
          },
          { additionalProperties: false, default: {} },
        ),
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
    store: Type.Object(
      {
        reserve_mib: Type.Integer({
          minimum: 1,
          maximum: 1_048_576,
          default: 64,
          description:
            "free space kept on the data volume: below it new alerts and camera events are refused (507 VIGIL_E_STORE_FULL), below half of it new incidents too; the rest is for audit, logins and decisions",
        }),
        space_check_s: Type.Integer({
          minimum: 1,
          maximum: 3600,
          default: 10,
          description: "how often the free space is read (and a store failed by a full volume reopened)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    outbox: Type.Object(
      {
        max_bytes: Type.Integer({
          minimum: 1_048_576,
          default: 268_435_456,
          description: "byte budget of the on-disk queue to central, shared by incidents and alerts",
        }),
        audit_max_bytes: Type.Integer({
          minimum: 1_048_576,
          default: 134_217_728,
          description:
            "audit's own byte budget: audit never takes the incidents' room; beyond it audit is still kept and the health says so",
        }),
        policy: Type.Union(
          OUTBOX_POLICIES.map((p) => Type.Literal(p)),
          {
            default: "shed-alerts-then-refuse-incidents",
            description: "when full: drop the oldest alerts, then refuse new incidents; audit is never dropped",
          },
        ),
        ttl_s: Type.Object(
          {
            incidents: Type.Integer({
              minimum: 0,
              default: 0,
              description: "0 keeps unsent incidents until delivered",
            }),
            alerts: Type.Integer({ minimum: 0, default: 604_800 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    audit: Type.Object(
      {
        anonymise_sources: Type.Boolean({
          default: false,
          description: "zero the last IPv4 octet / last 80 IPv6 bits of source addresses",
        }),
        checkpoint_interval_s: Type.Integer({ minimum: 1, maximum: 86_400, default: 300 }),
      },
      { additionalProperties: false, default: {} },
    ),
    commands: Type.Object(
      {
        key_file: Type.String({
          default: "",
          description: "central's public key (PEM SPKI, JWK or JWKS); empty: commands are not accepted",
        }),
        algorithms: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ["EdDSA", "ES256"] }),
        clock_tolerance_s: Type.Integer({ minimum: 0, maximum: 300, default: 30 }),
        max_lifetime_s: Type.Integer({ minimum: 1, maximum: 86_400, default: 600 }),
      },
      { additionalProperties: false, default: {} },
    ),
    live_view: LiveViewSchema,
    cameras: Type.Array(CameraSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export type VigilConfig = Static<typeof ConfigSchema>;
export type CameraConfig = Static<typeof CameraSchema>;
export type MotionConfig = Static<typeof MotionSchema>;
export type SnapshotConfig = Static<typeof SnapshotSchema>;
export type ClipsConfig = Static<typeof ClipsSchema>;
export type ZoneConfig = Static<typeof ZoneSchema>;
export type ZoneRuleConfig = Static<typeof ZoneRuleSchema>;

/** Secrets the daemon needs; each lives in its own file in secrets_dir (or $CREDENTIALS_DIRECTORY). */
export const REQUIRED_SECRETS = ["token_signing_key", "audit_hmac_key", "audit_checkpoint_key"] as const;
export type SecretName = (typeof REQUIRED_SECRETS)[number];
export const MIN_SECRET_BYTES = 32;

/**
 * Secrets a feature needs but the daemon can run without: when one is missing that feature is
 * off and says why (health, API), rather than the daemon refusing to start. `vigil init` makes them.
 */
export const OPTIONAL_SECRETS = ["watchlist_key"] as const;
export type OptionalSecretName = (typeof OPTIONAL_SECRETS)[number];
/** Retired watchlist keys, one per line, still accepted for reading entries made with them. */
export const WATCHLIST_RETIRED_KEYS_FILE = "watchlist_key.retired";
