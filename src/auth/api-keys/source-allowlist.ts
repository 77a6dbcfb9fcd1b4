import { BlockList, isIP } from "node:net";

/**
 * Which source addresses may use a key: a list of IPv4 and IPv6 CIDRs, empty meaning anywhere.
 * A dual-stack listener reports IPv4 peers as `::ffff:a.b.c.d`; those are matched as the IPv4
 * address they are, so `10.0.0.0/8` admits `::ffff:10.1.2.3`.
 */
export type IpFamily = "ipv4" | "ipv6";

export interface Cidr {
  readonly family: IpFamily;
  readonly address: string;
  readonly prefix: number;
}

const MAPPED_V4 = /^(?:::|(?:0{1,4}:){5})ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const PREFIX = /^\d{1,3}$/;

/** An address as the family it really is (`::ffff:10.0.0.1` is IPv4), without a zone id; undefined if not an IP. */
export function normaliseAddress(text: string): { address: string; family: IpFamily } | undefined {
  const bare = text.includes("%") ? text.slice(0, text.indexOf("%")) : text;
  const mapped = MAPPED_V4.exec(bare)?.[1];
  if (mapped !== undefined && isIP(mapped) === 4) return { address: mapped, family: "ipv4" };
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: "ipv4" };
  if (version === 6) return { address: bare.toLowerCase(), family: "ipv6" };
  return undefined;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (one host); undefined for anything else. */
export function parseCidr(text: string): Cidr | undefined {
  const parts = text.trim().split("/");
  if (parts.length > 2 || parts[0] === undefined || parts[0].includes("%")) return undefined;
  const [addressText, prefixText] = parts;
  if (prefixText !== undefined && !PREFIX.test(prefixText)) return undefined;
  const version = isIP(addressText ?? "");
  if (version === 0) return undefined;
  const width = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width) return undefined;
  const normal = normaliseAddress(addressText ?? "");
  if (!normal) return undefined;
  // `::ffff:10.0.0.0/104` is the IPv4 range 10.0.0.0/8 written the long way.
  if (version === 6 && normal.family === "ipv4")
    return prefix >= 96 ? { family: "ipv4", address: normal.address, prefix: prefix - 96 } : undefined;
  return { family: normal.family, address: normal.address, prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${cidr.address}/${cidr.prefix}`;
}

export class SourceAllowlist {
  private readonly list = new BlockList();

  private constructor(
    readonly cidrs: readonly Cidr[],
    private readonly denyAll: boolean,
  ) {
    for (const c of cidrs) this.list.addSubnet(c.address, c.prefix, c.family);
  }

  /** Builds from already validated CIDRs; an entry that does not parse is skipped, never widening the list. */
  static from(texts: readonly string[]): SourceAllowlist {
    const cidrs = texts.map(parseCidr).filter((c): c is Cidr => c !== undefined);
    // A list whose every entry was unreadable must still admit nobody, not everybody.
    return new SourceAllowlist(cidrs, cidrs.length === 0 && texts.length > 0);
  }

  /** True when the list is empty (any source) or the address falls in one of its ranges. */
  allows(source: string | undefined): boolean {
    if (this.denyAll) return false;
    if (this.cidrs.length === 0) return true;
    const normal = source === undefined ? undefined : normaliseAddress(source);
    return normal !== undefined && this.list.check(normal.address, normal.family);
  }
}
