import { AccessTokens } from "../auth/access-tokens.js";
import { ApiKeyService } from "../auth/api-keys/api-key-service.js";
import { ApiKeyStore } from "../auth/api-keys/api-key-store.js";
import { ApiKeyVerifier } from "../auth/api-keys/api-key-verifier.js";
import { CameraAuthenticator, type CertificateIdentifier } from "../auth/camera-authenticator.js";
import { AuthService } from "../auth/auth-service.js";
import { LoginLockout } from "../auth/lockout.js";
import { PasswordHasher } from "../auth/password-hasher.js";
import { RevocationList } from "../auth/revocation-list.js";
import { SecurityMonitor } from "../auth/security-monitor.js";
import { SessionStore } from "../auth/session-store.js";
import { TokenKeyRing } from "../auth/token-keyring.js";
import { UserAuthenticator } from "../auth/user-authenticator.js";
import { UserService } from "../auth/user-service.js";
import { UserStore } from "../auth/user-store.js";
import type { CameraConfig, VigilConfig } from "../config/schema.js";
import type { Secrets } from "../config/secrets.js";
import type { AuditRecorder } from "../contract/audit.js";
import { LiveTickets } from "../auth/live-tickets.js";
import type { Lifecycle } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";

export interface AuthParts {
  readonly users: UserService;
  readonly auth: AuthService;
  readonly authenticator: UserAuthenticator;
  readonly ring: TokenKeyRing;
  readonly security: SecurityMonitor;
  readonly hasher: PasswordHasher;
  readonly keys: ApiKeyService;
  readonly keyStore: ApiKeyStore;
  readonly cameraAuthenticator: CameraAuthenticator;
  /** One-time live-view tickets (`POST /v1/cameras/:id/live-ticket`). */
  readonly liveTickets: LiveTickets;
  /** Ended sessions, for connections that outlive a request (live view). */
  readonly onSessionsEnded: (listener: (sessionIds: readonly string[]) => void) => () => void;
}

export interface AuthDeps {
  readonly database: Database;
  readonly commits: GroupCommit;
  readonly audit: AuditRecorder;
  readonly alert: (type: string, data: Record<string, unknown>) => Promise<unknown>;
  readonly log: Logger;
  /** The cameras as currently configured (they change on SIGHUP); default: the config's. */
  readonly cameras?: (() => readonly CameraConfig[]) | undefined;
  /** Identifies client certificates on the camera TLS listener, when there is one. */
  readonly certificates?: CertificateIdentifier | undefined;
}

const HOUSEKEEPING_MS = 60_000;

/** Operators: users, passwords, sessions, tokens and lockout, all on the store. */
export function composeAuth(
  lifecycle: Lifecycle,
  config: Readonly<VigilConfig>,
  secrets: Secrets,
  deps: AuthDeps,
): AuthParts {
  const { database, commits, audit, log } = deps;
  const a = config.auth;
  const userStore = lifecycle.add(new UserStore(database, commits));
  const hasher = lifecycle.add(
    new PasswordHasher({
      memoryKib: a.argon2.memory_kib,
      timeCost: a.argon2.time_cost,
      parallelism: a.argon2.parallelism,
      maxConcurrent: a.argon2.max_concurrent,
    }),
  );
  const lockout = lifecycle.add(
    new LoginLockout(database, commits, {
      maxFailures: a.lockout.max_failures,
      windowMs: a.lockout.window_s * 1000,
      lockMs: a.lockout.lock_s * 1000,
      maxLockMs: a.lockout.max_lock_s * 1000,
      userMaxFailures: a.lockout.user_max_failures,
    }),
  );
  const sessions = lifecycle.add(
    new SessionStore(database, commits, { absoluteMs: a.refresh_ttl_s * 1000, idleMs: a.session_idle_s * 1000 }),
  );
  const revocations = lifecycle.add(new RevocationList(database, commits));
  const ring = lifecycle.add(
    new TokenKeyRing(database, commits, secrets.token_signing_key, log.child({ component: "token-keyring" })),
  );
  const tokens = new AccessTokens(ring, {
    issuer: a.issuer || `vigil:${config.site}/${config.gateway}`,
    audience: a.audience,
    ttlS: a.access_ttl_s,
  });
  const security = lifecycle.add(
    new SecurityMonitor(a.alerts.failed_logins_per_minute, deps.alert, log.child({ component: "security" })),
  );
  const auth = new AuthService({
    users: userStore,
    hasher,
    lockout,
    sessions,
    revocations,
    tokens,
    audit,
    log: log.child({ component: "auth" }),
    onLoginFailure: (username, ip) => security.loginFailed(username, ip),
  });
  const users = new UserService({ users: userStore, hasher, sessions, lockout, audit });
  const authenticator = new UserAuthenticator({
    tokens,
    revocations,
    sessions,
    users: userStore,
    audit,
    onRefused: () => security.noteFailure("token"),
  });
  const keyStore = lifecycle.add(new ApiKeyStore(database, commits, log.child({ component: "api-keys" })));
  const cameras = deps.cameras ?? (() => config.cameras);
  const keys = new ApiKeyService({ store: keyStore, audit, cameraExists: (id) => cameras().some((c) => c.id === id) });
  const cameraAuthenticator = new CameraAuthenticator({
    cameras,
    keys: new ApiKeyVerifier(keyStore),
    certificates: deps.certificates,
    audit,
    onRefused: () => security.noteFailure("camera"),
  });

  // Expired revocations and dead sessions are forgotten, and session activity reaches the disk.
  let timer: NodeJS.Timeout | undefined;
  lifecycle.add({
    name: "auth-housekeeping",
    start: async () => {
      timer = setInterval(() => {
        const now = Date.now();
        Promise.all([sessions.flushActivity(), sessions.sweep(now), revocations.sweep(Math.floor(now / 1000))]).catch(
          (err: unknown) => log.warn({ err }, "auth housekeeping failed"),
        );
      }, HOUSEKEEPING_MS);
      timer.unref();
    },
    stop: async () => clearInterval(timer),
  });
  const liveTickets = new LiveTickets(config.live_view.ticket_ttl_s * 1000);
  const onSessionsEnded = (listener: (ids: readonly string[]) => void): (() => void) =>
    sessions.onEnded((ended) => listener(ended.map((e) => e.id)));
  return {
    users,
    auth,
    authenticator,
    ring,
    security,
    hasher,
    keys,
    keyStore,
    cameraAuthenticator,
    liveTickets,
    onSessionsEnded,
  };
}
