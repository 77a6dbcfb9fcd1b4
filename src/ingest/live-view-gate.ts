import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import { SourceRateLimit } from "../auth/source-key.js";
import type { UserPrincipal } from "../contract/principal.js";
import { LiveViewClose, originAllowed } from "./live-view-args.js";

/**
 * What a live-view upgrade must pass before the handshake: a per-address limit (IPv6 per /64) and
 * an Origin allowlist (same origin by default). Answers the raw HTTP refusal, or undefined.
 */
export class UpgradeGate {
  private readonly limit: SourceRateLimit;

  constructor(
    perMinute: number,
    private readonly allowedOrigins: readonly string[],
  ) {
    this.limit = new SourceRateLimit(perMinute);
  }

  refusal(request: IncomingMessage, now: number): string | undefined {
    const admitted = this.limit.admit(request.socket.remoteAddress ?? "", now);
    if (!admitted.ok)
      return `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${admitted.retryAfterS}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
    if (!originAllowed(request.headers.origin, request.headers.host, this.allowedOrigins))
      return "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    return undefined;
  }
}

/** The admitted viewers and who they are, so each can be checked again while it watches. */
export class LiveViewers {
  private readonly viewers = new Map<WebSocket, UserPrincipal>();

  constructor(
    private readonly standing: (principal: UserPrincipal, needed: "viewer") => "ok" | "unauthenticated" | "forbidden",
  ) {}

  add(ws: WebSocket, principal: UserPrincipal): void {
    this.viewers.set(ws, principal);
    ws.once("close", () => this.viewers.delete(ws));
  }

  /** Closes the viewers (of `sessions`, or all) whose session or role no longer holds. */
  recheck(sessions?: ReadonlySet<string>): void {
    for (const [ws, principal] of this.viewers) {
      if (sessions && !sessions.has(principal.sessionId)) continue;
      const standing = this.standing(principal, "viewer");
      if (standing === "ok") continue;
      this.viewers.delete(ws);
      if (standing === "forbidden")
        ws.close(LiveViewClose.ROLE_CHANGED, "VIGIL_E_FORBIDDEN: the viewer role was taken away");
      else ws.close(LiveViewClose.SESSION_ENDED, "VIGIL_E_UNAUTHENTICATED: the session ended; log in again");
    }
  }
}
