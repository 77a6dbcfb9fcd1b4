import { isIP } from "node:net";

/**
 * The key a per-source limit counts under: an IPv4 address as it is, an IPv6 address by its /64
 * (one host usually holds a whole /64, so counting single addresses would give it 2^64 tries);
 * an IPv4-mapped IPv6 address as its IPv4 address. Pure.
 */
export function sourceKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** Counts per source key in fixed one-minute windows; bounded memory. */
export class SourceRateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether one more from `ip` fits; when not, how many seconds until it does. */
  admit(ip: string, now: number): { ok: true } | { ok: false; retryAfterS: number } {
    const key = sourceKey(ip);
    let w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) {
        for (const [k, old] of this.windows)
          if (now - old.start >= 60_000 || this.windows.size >= this.maxKeys) this.windows.delete(k);
      }
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.perMinute)
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)) };
    w.count++;
    return { ok: true };
  }
}
