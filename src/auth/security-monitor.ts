import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";

/** Distinct source addresses tracked per minute for the flood alert's top list. */
export const MAX_SOURCES = 1000;

/** Where alerts go (the outbox's `alerts` stream in the daemon). */
export type AlertSink = (type: string, data: Record<string, unknown>) => Promise<unknown>;

/** Pure: timestamps still inside the one-minute window ending at `now`. */
export function withinLastMinute(times: readonly number[], now: number): number[] {
  return times.filter((t) => now - t < 60_000);
}

/**
 * Turns a burst of failed logins into a `security.login_flood` alert on MQTT (at most one a
 * minute while it lasts) and a reason in health, so central hears of a brute-force attempt
 * without reading the audit trail.
 */
export type AuthFailureKind = "login" | "token" | "camera" | "rate_limited";

export class SecurityMonitor implements Component {
  readonly name = "security-monitor";
  /** Cumulative refusals by kind, for `vigil_auth_failures_total`. */
  readonly failures: Record<AuthFailureKind, number> = { login: 0, token: 0, camera: 0, rate_limited: 0 };
  private recentLogins: number[] = [];
  private sources = new Map<string, number>();
  private lastAlertAt = 0;

  constructor(
    private readonly threshold: number,
    private readonly alert: AlertSink,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  noteFailure(kind: AuthFailureKind): void {
    this.failures[kind]++;
  }

  loginFailed(_username: string, ip: string): void {
    this.failures.login++;
    const now = this.now();
    this.recentLogins = withinLastMinute([...this.recentLogins, now], now);
    if (this.recentLogins.length === 1) this.sources.clear();
    // Bounded: a spray from a million addresses in a minute counts the rest under "other".
    const source = this.sources.has(ip) || this.sources.size < MAX_SOURCES ? ip : "other";
    this.sources.set(source, (this.sources.get(source) ?? 0) + 1);
    if (this.recentLogins.length <= this.threshold || now - this.lastAlertAt < 60_000) return;
    this.lastAlertAt = now;
    const top = [...this.sources]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([source, count]) => ({ source, count }));
    this.log.warn({ failures: this.recentLogins.length, top }, "login flood");
    this.alert("security.login_flood", {
      failures_last_minute: this.recentLogins.length,
      threshold: this.threshold,
      top_sources: top,
    }).catch((err: unknown) => {
      this.log.error({ err }, "security alert could not be queued");
    });
  }

  /** Distinct sources being counted this minute (bounded by MAX_SOURCES + 1). */
  get trackedSources(): number {
    return this.sources.size;
  }

  /** A reason for health while failures run above the threshold, else undefined. */
  get degradedReason(): string | undefined {
    const recent = withinLastMinute(this.recentLogins, this.now()).length;
    return recent > this.threshold
      ? `${recent} failed logins in the last minute (threshold ${this.threshold})`
      : undefined;
  }
}
