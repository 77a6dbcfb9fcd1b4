import { type Static, Type } from "@sinclair/typebox";
import { OUTBOX_POLICIES } from "../contract/outbox.js";
import { CameraSchema, type MotionSchema, type SnapshotSchema, type ZoneSchema } from "./camera-schema.js";
import { ClipsSchema } from "./clips-schema.js";
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
    auth: Type.Object(
      {
        issuer: Type.String({ default: "", description: "JWT iss; empty: vigil:<site>/<gateway>" }),
        audience: Type.String({ minLength: 1, default: "vigil-api" }),
        access_ttl_s: Type.Integer({
          minimum: 10,
          maximum: 3600,
          default: 900,
          description: "access-token lifetime; the console refreshes before it ends",
        }),
        refresh_ttl_s: Type.Integer({
          minimum: 300,
          maximum: 7_776_000,
          default: 604_800,
          description: "longest life of a session (refresh-token family)",
        }),
        session_idle_s: Type.Integer({
          minimum: 300,
          maximum: 2_592_000,
          default: 43_200,
          description: "a session unused this long ends",
        }),
        argon2: Type.Object(
          {
            memory_kib: Type.Integer({
              minimum: 19_456,
              maximum: 1_048_576,
              default: 65_536,
              description: "OWASP minimum is 19456 (19 MiB)",
            }),
            time_cost: Type.Integer({ minimum: 2, maximum: 20, default: 3 }),
            parallelism: Type.Integer({ minimum: 1, maximum: 16, default: 1 }),
            max_concurrent: Type.Integer({
              minimum: 1,
              maximum: 64,
              default: 2,
              description: "hashes computed at once; the rest wait, so a login flood cannot exhaust memory",
            }),
          },
          { additionalProperties: false, default: {} },
        ),
        lockout: Type.Object(
          {
            max_failures: Type.Integer({
              minimum: 1,
              maximum: 100,
              default: 5,
              description:
                "failures from one source (IPv6: one /64) within window_s that lock the account for that source",
            }),
            window_s: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
            lock_s: Type.Integer({
              minimum: 1,
              maximum: 86_400,
              default: 900,
              description: "the first lock; each further lock of the same account and source doubles it",
            }),
            max_lock_s: Type.Integer({
              minimum: 1,
              maximum: 604_800,
              default: 86_400,
              description: "the longest a lock grows to",
            }),
            user_max_failures: Type.Integer({
              minimum: 1,
              maximum: 100_000,
              default: 50,
              description:
                "failures from all sources together within window_s that lock the account for everyone (lock_s)",
            }),
          },
          { additionalProperties: false, default: {} },
        ),
        rate_limit: Type.Object(
          {
            per_ip_per_minute: Type.Integer({ minimum: 1, default: 600 }),
            per_user_per_minute: Type.Integer({ minimum: 1, default: 600 }),
            login_per_ip_per_minute: Type.Integer({ minimum: 1, default: 20 }),
            login_per_user_per_minute: Type.Integer({ minimum: 1, default: 10 }),
          },
          { additionalProperties: false, default: {} },
        ),
        alerts: Type.Object(
          {
            failed_logins_per_minute: Type.Integer({
              minimum: 1,
              default: 10,
              description: "more than this: a security.login_flood alert",
            }),
            cert_expiry_days: Type.Integer({
              minimum: 1,
              maximum: 365,
              default: 30,
              description: "certificates expiring sooner: a security.cert_expiring alert",
            }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
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
    faces: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description:
            "recognise detected faces against the watchlist (needs the embedding model and the watchlist_key secret)",
        }),
        embedding_model: Type.String({
          minLength: 1,
          default: "dlib-resnet-150",
          description: "manifest id of the face-embedding model",
        }),
        detector_model: Type.String({
          minLength: 1,
          default: "blazeface-back-256",
          description:
            "manifest id of the face-detection model; runs beside an object detector on each analysed frame, and finds the face in enrolment photos",
        }),
        detector_score_threshold: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.6,
          description: "face-detection score threshold",
        }),
        match_threshold: Type.Optional(
          Type.Number({
            minimum: 0,
            maximum: 1,
            description:
              "cosine similarity at or above which a face is a watchlist match; a person's own threshold overrides it. Model-specific: unset, the embedding model's manifest match_threshold applies (dlib-resnet-150: 0.95, mobilefacenet-112: 0.98; see docs/watchlist.md)",
          }),
        ),
        min_face_px: Type.Integer({
          minimum: 8,
          maximum: 4096,
          default: 24,
          description:
            "faces narrower than this in the frame at its working resolution (cameras[].detect) are not recognised; head squares narrower than this are not searched",
        }),
        max_faces_per_frame: Type.Integer({
          minimum: 1,
          maximum: 64,
          default: 5,
          description:
            "the largest faces of a frame that are recognised (and the largest people whose head squares are searched); the rest are skipped",
        }),
        unknown_alert: Type.Boolean({
          default: false,
          description: "also report faces that match nobody, so rules can raise unknown-face incidents",
        }),
        enroll_max_photos: Type.Integer({
          minimum: 1,
          maximum: 50,
          default: 10,
          description: "photos per enrolment request",
        }),
        enroll_body_limit_bytes: Type.Integer({
          minimum: 65_536,
          maximum: 67_108_864,
          default: 8_388_608,
          description: "POST /v1/watchlist body limit (base64 photos)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
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
    live_view: Type.Object(
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
    ),
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
