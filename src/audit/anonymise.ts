import { isIP } from "node:net";

/**
 * Source addresses are personal data in most of the places these boxes are installed. Anonymised,
 * they still say which network a request came from (an IPv4 /24, an IPv6 /48: a site or a
 * provider's customer) without naming the device. Values that are not an IP address (`unix`,
 * `mqtt`) are kept: they identify nobody.
 */
export function anonymiseSource(source: string): string {
  const family = isIP(source);
  if (family === 4) return anonymiseIPv4(source);
  if (family === 6) return anonymiseIPv6(source);
  return source;
}

function anonymiseIPv4(address: string): string {
  return `${address.slice(0, address.lastIndexOf("."))}.0`;
}

function anonymiseIPv6(address: string): string {
  const groups = ipv6Groups(address);
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket: zeroing 80 bits would erase
  // all of it, so it is treated as the IPv4 address it is, in the notation it came in.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.0`;
  }
  return formatIPv6([...groups.slice(0, 3), 0, 0, 0, 0, 0]);
}

/** Eight 16-bit groups of an address `isIP` accepted as IPv6 (zone id dropped, dotted tail folded). */
function ipv6Groups(address: string): number[] {
  let text = address.split("%")[0] ?? "";
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string): number[] => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (>1) of zero groups as `::`. */
function formatIPv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}
