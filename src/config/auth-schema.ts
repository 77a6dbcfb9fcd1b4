import { Type } from "@sinclair/typebox";

/** `auth`: operators' sign-in: tokens, sessions, passwords and lockout. */
export const AuthSchema = Type.Object(
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
          description: "failures from one source (IPv6: one /64) within window_s that lock the account for that source",
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
          description: "failures from all sources together within window_s that lock the account for everyone (lock_s)",
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
);
