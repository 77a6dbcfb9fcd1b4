import { ThrottledAudit } from "../audit/throttled-recorder.js";
import type { AuditRecorder } from "../contract/audit.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { UserPrincipal } from "../contract/principal.js";
import type { AccessTokens } from "./access-tokens.js";
import type { LoginLockout } from "./lockout.js";
import type { PasswordHasher } from "./password-hasher.js";
import { parseRefreshToken } from "./refresh-token.js";
import type { RevocationList } from "./revocation-list.js";
import type { SessionRecord, SessionStore } from "./session-store.js";
import type { UserRecord, UserStore } from "./user-store.js";

export interface TokenPair {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
}

export interface ClientInfo {
  readonly ip: string;
  readonly userAgent: string;
}

export interface AuthServiceDeps {
  readonly users: UserStore;
  readonly hasher: PasswordHasher;
  readonly lockout: LoginLockout;
  readonly sessions: SessionStore;
  readonly revocations: RevocationList;
  readonly tokens: AccessTokens;
  readonly audit: AuditRecorder;
  readonly log: Logger;
  /** Told of every failed login, for the flood alert. */
  readonly onLoginFailure?: (username: string, ip: string) => void;
  readonly now?: () => number;
}

/** One answer for every failed login, whatever the cause: nothing to tell accounts apart by. */
const invalidCredentials = (): VigilError => new VigilError(ErrorCodes.UNAUTHENTICATED, "invalid credentials");
const invalidRefresh = (): VigilError => new VigilError(ErrorCodes.UNAUTHENTICATED, "invalid or expired refresh token");

/**
 * Logins, refresh-token rotation and logout. Each outcome is in the audit trail before the caller
 * hears of it, failures included (with the reason, which the caller never sees).
 */
export class AuthService {
  private readonly now: () => number;
  /** Failed logins and unknown refresh tokens, audited once per source (and reason) a minute. */
  private readonly refusals: ThrottledAudit;

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.refusals = new ThrottledAudit(deps.audit, undefined, this.now);
  }

  async login(username: string, password: string, client: ClientInfo): Promise<TokenPair> {
    const { users, hasher, lockout, audit } = this.deps;
    const now = this.now();
    const user = users.get(username);
    const lockedUntil = user ? lockout.lockedUntil(username, client.ip, now) : undefined;
    // Always one argon2 verify, whether the account exists, is disabled or locked: same time for each.
    const matches = user ? await hasher.verify(user.password_hash, password) : await hasher.verifyUnknownUser(password);
    const refusal = !user
      ? "unknown_user"
      : user.disabled
        ? "disabled"
        : lockedUntil !== undefined
          ? "locked"
          : !matches
            ? "bad_password"
            : undefined;
    if (refusal || !user) {
      // The failure's writes go into one group commit, so each kind of failure costs the same fsyncs.
      // Keyed by source alone: a key with the reason in it would let the answer's timing tell
      // an unknown user from a wrong password. The recorded entry still names its reason.
      const denied = this.refusals.record(`${client.ip} login`, {
        actor: username,
        source: client.ip,
        action: "auth.login",
        target: `user:${username}`,
        result: "denied",
        details: { reason: refusal ?? "unknown_user" },
      });
      const counted = user && refusal === "bad_password" ? lockout.recordFailure(username, client.ip, now) : undefined;
      const [, failure] = await Promise.all([denied, counted]);
      if (failure?.lockedNow) {
        await audit.record({
          actor: "system",
          source: client.ip,
          action: "auth.lockout",
          target: `user:${username}`,
          result: "ok",
          details: { until: new Date(failure.lockedUntil ?? now).toISOString(), scope: failure.scope },
        });
      }
      this.deps.onLoginFailure?.(username, client.ip);
      throw invalidCredentials();
    }
    await lockout.clear(username, client.ip);
    if (hasher.needsRehash(user.password_hash)) await this.rehash(user, password);
    const { session, refreshToken } = await this.deps.sessions.create(username, client.userAgent, client.ip, now);
    await audit.record({
      actor: username,
      source: client.ip,
      action: "auth.login",
      target: `user:${username}`,
      result: "ok",
      details: { session: session.id },
    });
    return this.pair(user, session, refreshToken, now);
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const now = this.now();
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) throw invalidRefresh();
    const outcome = await this.deps.sessions.rotate(parsed.sessionId, parsed.digest, now);
    if (outcome.kind === "reused") {
      // Two parties hold tokens of one family: one of them stole it. End the family for both.
      await this.deps.sessions.end([outcome.session.id], "refresh_token_reused", now);
      await this.deps.audit.record({
        actor: outcome.session.username,
        source: client.ip,
        action: "auth.refresh_reuse",
        target: `session:${outcome.session.id}`,
        result: "denied",
        details: { family_revoked: true },
      });
      throw invalidRefresh();
    }
    if (outcome.kind === "invalid") {
      await this.refusals.record(`${client.ip} refresh ${outcome.reason}`, {
        actor: "unknown",
        source: client.ip,
        action: "auth.refresh",
        target: `session:${parsed.sessionId}`,
        result: "denied",
        details: { reason: outcome.reason },
      });
      throw invalidRefresh();
    }
    const user = this.deps.users.get(outcome.session.username);
    if (!user || user.disabled) {
      await this.deps.sessions.end([outcome.session.id], "user_unavailable", now);
      throw invalidRefresh();
    }
    return this.pair(user, outcome.session, outcome.refreshToken, now);
  }

  /** Ends the caller's session and revokes the access token it used. */
  async logout(principal: UserPrincipal, client: ClientInfo): Promise<void> {
    const now = this.now();
    await this.deps.revocations.revoke(principal.tokenId, principal.tokenExpiresAt);
    await this.deps.sessions.end([principal.sessionId], "logout", now);
    await this.deps.audit.record({
      actor: principal.username,
      source: client.ip,
      action: "auth.logout",
      target: `session:${principal.sessionId}`,
      result: "ok",
    });
  }

  async endSessions(
    actor: UserPrincipal,
    owner: string,
    ids: readonly string[] | "all",
    client: ClientInfo,
  ): Promise<number> {
    const now = this.now();
    const open = this.deps.sessions.listFor(owner, now).map((s) => s.id);
    const targets = ids === "all" ? open : ids.filter((id) => open.includes(id));
    if (ids !== "all" && targets.length === 0) throw new VigilError(ErrorCodes.NOT_FOUND, "no such session");
    const ended = await this.deps.sessions.end(
      targets,
      actor.username === owner ? "logout" : `ended_by:${actor.username}`,
      now,
    );
    if (targets.includes(actor.sessionId)) await this.deps.revocations.revoke(actor.tokenId, actor.tokenExpiresAt);
    await this.deps.audit.record({
      actor: actor.username,
      source: client.ip,
      action: "auth.sessions_ended",
      target: `user:${owner}`,
      result: "ok",
      details: { sessions: ended.map((s) => s.id) },
    });
    return ended.length;
  }

  sessionsOf(username: string): SessionRecord[] {
    return this.deps.sessions.listFor(username, this.now());
  }

  private async rehash(user: UserRecord, password: string): Promise<void> {
    try {
      const password_hash = await this.deps.hasher.hash(password);
      await this.deps.users.put({ ...user, password_hash, updated_at: new Date(this.now()).toISOString() });
    } catch (err) {
      // The login itself succeeded; a failed upgrade is retried at the next one.
      this.deps.log.warn({ err, username: user.username }, "password rehash failed");
    }
  }

  private async pair(user: UserRecord, session: SessionRecord, refreshToken: string, now: number): Promise<TokenPair> {
    const { token } = await this.deps.tokens.issue(
      { username: user.username, role: user.role, sessionId: session.id },
      now,
    );
    return {
      access_token: token,
      refresh_token: refreshToken,
      token_type: "Bearer",
      expires_in: this.deps.tokens.ttlS,
    };
  }
}
