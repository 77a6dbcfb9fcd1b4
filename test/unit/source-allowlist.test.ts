// Source address ranges of API keys: IPv4 and IPv6 CIDRs, IPv4-mapped IPv6 peers matched as IPv4,
// and nothing unreadable ever widening a list.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatCidr, normaliseAddress, parseCidr, SourceAllowlist } from "../../src/auth/api-keys/source-allowlist.js";

const ipv4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

void describe("source allowlist", () => {
  void it("an empty list admits any source; a non-empty one only its ranges", () => {
    assert.equal(SourceAllowlist.from([]).allows("203.0.113.9"), true);
    assert.equal(SourceAllowlist.from([]).allows(undefined), true);
    const list = SourceAllowlist.from(["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]);
    assert.equal(list.allows("10.200.3.4"), true);
    assert.equal(list.allows("11.0.0.1"), false);
    assert.equal(list.allows("192.168.1.7"), true);
    assert.equal(list.allows("192.168.1.8"), false);
    assert.equal(list.allows("2001:db8:1::5"), true);
    assert.equal(list.allows("2001:DB8::5"), true);
    assert.equal(list.allows("2001:db9::5"), false);
    assert.equal(list.allows(undefined), false);
    assert.equal(list.allows("not an address"), false);
    assert.equal(list.allows(""), false);
  });

  void it("IPv4-mapped IPv6 sources match IPv4 ranges, in every spelling", () => {
    const list = SourceAllowlist.from(["10.0.0.0/8"]);
    assert.equal(list.allows("::ffff:10.1.2.3"), true);
    assert.equal(list.allows("::FFFF:10.1.2.3"), true);
    assert.equal(list.allows("0:0:0:0:0:ffff:10.1.2.3"), true);
    assert.equal(list.allows("::ffff:a01:203"), true);
    assert.equal(list.allows("::ffff:11.1.2.3"), false);
    // A mapped range written the long way is the IPv4 range it names.
    assert.deepEqual(parseCidr("::ffff:10.0.0.0/104"), { family: "ipv4", address: "10.0.0.0", prefix: 8 });
    assert.equal(SourceAllowlist.from(["::ffff:10.0.0.0/104"]).allows("10.9.9.9"), true);
    // An IPv4 range does not admit IPv6 peers that merely look alike.
    assert.equal(list.allows("::10.1.2.3"), false);
    assert.equal(list.allows("64:ff9b::10.1.2.3"), false);
    assert.deepEqual(normaliseAddress("fe80::1%eth0"), { address: "fe80::1", family: "ipv6" });
  });

  void it("parses CIDRs and bare addresses, and refuses everything else", () => {
    assert.equal(formatCidr(parseCidr("10.0.0.0/8") ?? assert.fail()), "10.0.0.0/8");
    assert.equal(formatCidr(parseCidr("192.168.1.7") ?? assert.fail()), "192.168.1.7/32");
    assert.equal(formatCidr(parseCidr("2001:DB8::/32") ?? assert.fail()), "2001:db8::/32");
    assert.equal(formatCidr(parseCidr("::1") ?? assert.fail()), "::1/128");
    assert.equal(formatCidr(parseCidr("0.0.0.0/0") ?? assert.fail()), "0.0.0.0/0");
    for (const bad of [
      "",
      "/8",
      "10.0.0.0/",
      "10.0.0.0/33",
      "10.0.0.0/-1",
      "10.0.0.0/1e1",
      "10.0.0.0/8/8",
      "300.0.0.0/8",
      "10.0.0",
      "fe80::/129",
      "fe80::1%eth0/64",
      "::ffff:10.0.0.0/95",
      "lobby",
      "10.0.0.0 /8",
    ]) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });

  void it("a list whose entries are all unreadable admits nobody", () => {
    assert.equal(SourceAllowlist.from(["not-a-cidr"]).allows("10.0.0.1"), false);
  });

  void it("a range contains its own address, mapped or not, and no address that differs inside the prefix", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 32 }),
        fc.nat(),
        (addr, prefix, bitSeed) => {
          const list = SourceAllowlist.from([`${ipv4(addr)}/${prefix}`]);
          assert.equal(list.allows(ipv4(addr)), true);
          assert.equal(list.allows(`::ffff:${ipv4(addr)}`), true);
          const bit = 31 - (bitSeed % prefix);
          const other = (addr ^ (1 << bit)) >>> 0;
          assert.equal(list.allows(ipv4(other)), false);
          assert.equal(list.allows(`::ffff:${ipv4(other)}`), false);
          // Bits outside the prefix do not matter.
          if (prefix < 32) assert.equal(list.allows(ipv4((addr ^ 1) >>> 0)), true);
        },
      ),
    );
  });
});
