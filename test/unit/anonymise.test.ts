// Source address anonymisation: an IPv4 /24 or IPv6 /48 survives, the host part never does, and
// anything that is not an address passes through unchanged.
import assert from "node:assert/strict";
import { BlockList, isIP } from "node:net";
import { describe, it } from "node:test";
import fc from "fast-check";
import { anonymiseSource } from "../../src/audit/anonymise.js";

const octet = fc.integer({ min: 0, max: 255 });
const group = fc.integer({ min: 0, max: 0xffff });
const groups8 = fc.array(group, { minLength: 8, maxLength: 8 });
const isMapped = (g: number[]): boolean => g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
const fullText = (g: number[]): string => g.map((x) => x.toString(16)).join(":");

function inSubnet(address: string, prefixOf: string, bits: number, family: "ipv4" | "ipv6"): boolean {
  const list = new BlockList();
  list.addSubnet(prefixOf, bits, family);
  return list.check(address, family);
}

void describe("anonymiseSource", () => {
  void it("zeroes the last IPv4 octet, and two addresses collide exactly when they share a /24", () => {
    fc.assert(
      fc.property(fc.ipV4(), octet, fc.boolean(), fc.ipV4(), (a, last, sameNet, other) => {
        const b = sameNet ? `${a.slice(0, a.lastIndexOf("."))}.${last}` : other;
        const anon = anonymiseSource(a);
        assert.equal(isIP(anon), 4);
        assert.equal(anon, `${a.split(".").slice(0, 3).join(".")}.0`);
        assert.equal(anon === anonymiseSource(b), inSubnet(b, a, 24, "ipv4"));
        assert.equal(anonymiseSource(anon), anon);
      }),
    );
  });

  void it("keeps an IPv6 address's first 48 bits and zeroes the other 80", () => {
    fc.assert(
      fc.property(groups8, groups8, fc.boolean(), (g, tail, sameNet) => {
        fc.pre(!isMapped(g));
        const a = fullText(g);
        const b = fullText(sameNet ? [...g.slice(0, 3), ...tail.slice(3)] : tail);
        fc.pre(!isMapped(sameNet ? [...g.slice(0, 3), ...tail.slice(3)] : tail));
        const anon = anonymiseSource(a);
        assert.equal(isIP(anon), 6);
        // The result is the /48's first address: in the original's /48 and equal to prefix::.
        assert.ok(inSubnet(anon, a, 48, "ipv6"));
        assert.ok(inSubnet(`${fullText(g.slice(0, 3))}::`, anon, 128, "ipv6"));
        assert.equal(anon === anonymiseSource(b), inSubnet(b, a, 48, "ipv6"));
        assert.equal(anonymiseSource(anon), anon);
      }),
    );
  });

  void it("reads every IPv6 spelling fast-check produces (compressed, leading zeros, dotted tails)", () => {
    fc.assert(
      fc.property(fc.ipV6(), (a) => {
        const anon = anonymiseSource(a);
        assert.equal(isIP(anon), 6);
        if (!anon.includes(".")) assert.ok(inSubnet(anon, a, 48, "ipv6"), `${a} -> ${anon}`);
        assert.equal(anonymiseSource(anon), anon);
      }),
    );
  });

  void it("treats IPv4-mapped IPv6 as the IPv4 address it carries", () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const expected = `::ffff:${anonymiseSource(v4)}`;
        assert.equal(anonymiseSource(`::ffff:${v4}`), expected);
        assert.equal(anonymiseSource(`::FFFF:${v4}`), expected);
        const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
        assert.equal(anonymiseSource(`::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`), expected);
      }),
    );
  });

  void it("leaves values that are not IP addresses untouched", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(isIP(s) === 0);
        assert.equal(anonymiseSource(s), s);
      }),
    );
    for (const s of ["unix", "", "localhost", "[::1]", "1.2.3.4:80", "01.2.3.4", "camera:lobby"])
      assert.equal(anonymiseSource(s), s);
  });

  void it("examples", () => {
    assert.equal(anonymiseSource("192.168.1.77"), "192.168.1.0");
    assert.equal(anonymiseSource("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::");
    assert.equal(anonymiseSource("2001:0DB8:0000:0001::1"), "2001:db8::");
    assert.equal(anonymiseSource("::1"), "::");
    assert.equal(anonymiseSource("fe80::1%eth0"), "fe80::");
    assert.equal(anonymiseSource("::ffff:10.1.2.3"), "::ffff:10.1.2.0");
  });
});
