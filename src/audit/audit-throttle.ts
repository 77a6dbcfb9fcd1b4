/**
 * Keeps floods of identical refusals (a bot replaying a stolen token from many addresses) from
 * filling the audit trail and, behind it, the outbox that incidents share: per key (source and
 * reason), the first refusal of each window is recorded and the rest are counted into the next
 * recorded one as `suppressed`. Pure apart from its memory, which is bounded.
 */
export class AuditThrottle {
  private readonly windows = new Map<string, { start: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether to record this occurrence, and how many were suppressed before it. */
  admit(key: string, now: number): { record: true; suppressed: number } | { record: false } {
    const w = this.windows.get(key);
    if (w && now - w.start < this.windowMs) {
      w.suppressed++;
      return { record: false };
    }
    const suppressed = w?.suppressed ?? 0;
    this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.evict(now);
    this.windows.set(key, { start: now, suppressed: 0 });
    return { record: true, suppressed };
  }

  private evict(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    // Still full: the oldest go (Map keeps insertion order); their counts are lost, not their first entries.
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}
