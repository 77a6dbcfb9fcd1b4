import type { FastifyRequest } from "fastify";
import { AuditThrottle } from "../audit/audit-throttle.js";
import type { AuditRecorder } from "../contract/audit.js";
import { type Role, roleIncludes } from "../contract/roles.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { UserPrincipal } from "../contract/principal.js";
import type { AccessTokens } from "./access-tokens.js";
import type { RevocationList } from "./revocation-list.js";
import type { SessionStore } from "./session-store.js";
import type { UserStore } from "./user-store.js";

const unauthenticated = (): VigilError =>
  new VigilError(ErrorCodes.UNAUTHENTICATED, "a valid access token is required");

/**
 * Bearer access tokens: signature and claims by the key ring, then the things a token cannot say
 * about itself: revoked, session ended or idle, user disabled, role changed. The role that counts
 * is the user's current one. Every refusal looks the same to the caller (401); the trail says why.
 */
export class UserAuthenticator {
  constructor(
    private readonly deps: {
      tokens: AccessTokens;
      revocations: RevocationList;
      sessions: SessionStore;
      users: UserStore;
      audit: AuditRecorder;
      /** Told of every refused token (metrics), audited or throttled. */
      onRefused?: () => void;
      now?: () => number;
    },
  ) {}

  async authenticate(request: FastifyRequest, needed: Role): Promise<UserPrincipal> {
    const now = (this.deps.now ?? Date.now)();
    const header = request.headers.authorization;
    // No credentials at all is not an attempt; it gets the 401 without an audit entry.
    if (typeof header !== "string" || header.length === 0) throw unauthenticated();
    const match = /^Bearer ([A-Za-z0-9_.-]{1,4096})$/.exec(header);
    if (!match?.[1]) return this.refuse(request, "malformed_header");
    const verified = await this.deps.tokens.verify(match[1], now);
    if (!verified.ok) return this.refuse(request, verified.reason);
    const { claims } = verified;
    if (this.deps.revocations.isRevoked(claims.jti)) return this.refuse(request, "revoked", claims.sub);
    const session = this.deps.sessions.get(claims.sid);
    const unusable = session?.username === claims.sub ? this.deps.sessions.unusable(session, now) : "unknown_session";
    if (unusable) return this.refuse(request, `session_${unusable}`, claims.sub);
    const user = this.deps.users.get(claims.sub);
    if (!user || user.disabled) return this.refuse(request, "user_unavailable", claims.sub);
    if (!roleIncludes(user.role, needed)) {
      await this.deps.audit.record({
        actor: user.username,
        source: request.ip,
        action: "auth.forbidden",
        target: `route:${request.method} ${request.routeOptions.url ?? "?"}`,
        result: "denied",
        details: { role: user.role, needed },
      });
      throw new VigilError(ErrorCodes.FORBIDDEN, `this needs the ${needed} role`);
    }
    this.deps.sessions.touch(claims.sid, now);
    return {
      kind: "user",
      username: user.username,
      role: user.role,
      sessionId: claims.sid,
      tokenId: claims.jti,
      tokenExpiresAt: claims.exp,
    };
  }

  /**
   * Whether an admitted principal still stands: its token not revoked, its session open and not
   * idle, its user enabled and still of the role. For connections that outlive one request (live
   * view); the token's own expiry is not re-checked, its session is.
   */
  standing(principal: UserPrincipal, needed: Role): "ok" | "unauthenticated" | "forbidden" {
    const now = (this.deps.now ?? Date.now)();
    if (this.deps.revocations.isRevoked(principal.tokenId)) return "unauthenticated";
    const session = this.deps.sessions.get(principal.sessionId);
    if (session?.username !== principal.username || this.deps.sessions.unusable(session, now)) return "unauthenticated";
    const user = this.deps.users.get(principal.username);
    if (!user || user.disabled) return "unauthenticated";
    return roleIncludes(user.role, needed) ? "ok" : "forbidden";
  }

  private readonly throttle = new AuditThrottle();

  private async refuse(request: FastifyRequest, reason: string, username?: string): Promise<never> {
    this.deps.onRefused?.();
    const admitted = this.throttle.admit(`${request.ip} ${reason}`, (this.deps.now ?? Date.now)());
    if (!admitted.record) throw unauthenticated();
    await this.deps.audit.record({
      actor: username ?? "unknown",
      source: request.ip,
      action: "auth.token",
      target: `route:${request.method} ${request.routeOptions.url ?? "?"}`,
      result: "denied",
      details: { reason, ...(admitted.suppressed > 0 ? { suppressed: admitted.suppressed } : {}) },
    });
    throw unauthenticated();
  }
}
