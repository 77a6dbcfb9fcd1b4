import { createHash, randomBytes } from "node:crypto";
import type { UserPrincipal } from "../contract/principal.js";

export interface LiveTicket {
  /** `lt_<43 base64url chars>`: 256 random bits, good for one live-view connection. */
  readonly ticket: string;
  readonly expires_in: number;
}

interface Pending {
  readonly principal: UserPrincipal;
  readonly cameraId: string;
  readonly expiresAt: number;
}

const TICKET = /^lt_[A-Za-z0-9_-]{43}$/;
const digest = (ticket: string): string => createHash("sha256").update(ticket, "utf8").digest("hex");

/**
 * One-time tickets for the live-view WebSocket (`POST /v1/cameras/:id/live-ticket`): a browser
 * cannot set headers on a WebSocket, and an access token in a URL ends up in logs and history. A
 * ticket is bound to the user's session and to one camera, lives `ttlMs`, and is gone at its
 * first use, whatever the outcome. Kept in memory only (digests), bounded.
 */
export class LiveTickets {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxPending = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(principal: UserPrincipal, cameraId: string): LiveTicket {
    const now = this.now();
    for (const [key, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(key);
    // Still full: the oldest go (Map keeps insertion order).
    for (const key of this.pending.keys()) {
      if (this.pending.size < this.maxPending) break;
      this.pending.delete(key);
    }
    const ticket = `lt_${randomBytes(32).toString("base64url")}`;
    this.pending.set(digest(ticket), { principal, cameraId, expiresAt: now + this.ttlMs });
    return { ticket, expires_in: Math.round(this.ttlMs / 1000) };
  }

  /** The principal a ticket was issued to, if it is unused, unexpired and for this camera. Single use. */
  redeem(ticket: string, cameraId: string): UserPrincipal | undefined {
    if (!TICKET.test(ticket)) return undefined;
    const key = digest(ticket);
    const p = this.pending.get(key);
    this.pending.delete(key);
    if (!p || p.expiresAt <= this.now() || p.cameraId !== cameraId) return undefined;
    return p.principal;
  }
}
