// The audit hash chain, pure: canonical encoding, MACs, and verification that reports a changed,
// removed or moved entry at the first seq it affects.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalJson } from "../../src/audit/canonical.js";
import { type AuditEntryBody, auditMac, genesisMac, verifyEntries } from "../../src/audit/chain.js";
import { auditKey } from "../../src/store/keys.js";
import type { AuditEntry, AuditInput } from "../../src/contract/audit.js";
import { ErrorCodes, isVigilError } from "../../src/core/errors.js";

const KEY = Buffer.from("k3y-for-tests-only-0123456789abcdefghij", "utf8");
const GENESIS = genesisMac(KEY, "hq", "gw-01");

type Stored = { key: string; value: unknown };

const inputArb: fc.Arbitrary<AuditInput> = fc.record(
  {
    actor: fc.string({ minLength: 1, maxLength: 12 }),
    source: fc.oneof(fc.ipV4(), fc.constant("unix")),
    action: fc.constantFrom("auth.login", "incident.decision", "command.received", "config.changed"),
    target: fc.string({ minLength: 1, maxLength: 12 }),
    result: fc.constantFrom("ok" as const, "denied" as const, "error" as const),
    details: fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null)),
      { maxKeys: 4 },
    ),
  },
  { requiredKeys: ["actor", "action", "target", "result"] },
);

/** A chain as AuditLog writes it: JSON values under zero-padded keys. */
function makeChain(inputs: readonly AuditInput[], key = KEY, genesis = GENESIS): Stored[] {
  let prev = genesis;
  return inputs.map((input, i) => {
    const body = JSON.parse(
      JSON.stringify({
        seq: i + 1,
        ts: new Date(1_700_000_000_000 + i * 1000).toISOString(),
        ...input,
        prev_mac: prev,
      }),
    ) as AuditEntryBody;
    const entry: AuditEntry = { ...body, mac: auditMac(key, prev, body) };
    prev = entry.mac;
    return { key: auditKey(entry.seq), value: JSON.parse(JSON.stringify(entry)) as unknown };
  });
}

const chainArb = fc.array(inputArb, { minLength: 1, maxLength: 25 }).map((inputs) => makeChain(inputs));
const entryOf = (s: Stored | undefined): Record<string, unknown> => s!.value as Record<string, unknown>;

/** A change to one field that leaves the value well-formed. */
const mutationArb = fc.oneof(
  fc.record({ field: fc.constantFrom("actor", "target", "ts"), value: fc.string({ minLength: 1 }) }),
  fc.record({ field: fc.constant("action"), value: fc.constant("audit.tampered") }),
  fc.record({ field: fc.constant("result"), value: fc.constantFrom("ok", "denied", "error") }),
  fc.record({ field: fc.constant("source"), value: fc.ipV4() }),
  fc.record({
    field: fc.constant("details"),
    value: fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { minKeys: 1, maxKeys: 2 }),
  }),
);

void describe("canonicalJson (RFC 8785)", () => {
  void it("matches the RFC's example and ignores key order and number spelling", () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    assert.equal(
      canonicalJson(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reordered = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        ) as unknown;
        assert.equal(canonicalJson(reordered), canonicalJson(value));
        assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  void it("refuses values JSON cannot carry, with VALIDATION", () => {
    for (const bad of [NaN, Infinity, { a: -Infinity }, "\ud800", undefined]) {
      assert.throws(
        () => canonicalJson(bad),
        (err) => isVigilError(err, ErrorCodes.VALIDATION),
      );
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(
      () => canonicalJson(cycle),
      (err) => isVigilError(err, ErrorCodes.VALIDATION),
    );
  });
});

void describe("auditMac and genesisMac", () => {
  void it("are hex HMAC-SHA256, bound to key, link and content, and blind to the entry's own mac", () => {
    const [first] = makeChain([{ actor: "alice", action: "auth.login", target: "user:alice", result: "ok" }]);
    const entry = entryOf(first) as unknown as AuditEntry;
    assert.match(entry.mac, /^[0-9a-f]{64}$/);
    assert.match(GENESIS, /^[0-9a-f]{64}$/);
    assert.equal(auditMac(KEY, GENESIS, entry), entry.mac, "a stored entry's mac field is not covered");
    assert.notEqual(auditMac(Buffer.from("another-key-another-key-another-key"), GENESIS, entry), entry.mac);
    assert.notEqual(auditMac(KEY, "0".repeat(64), entry), entry.mac);
    assert.notEqual(auditMac(KEY, GENESIS, { ...entry, target: "user:bob" }), entry.mac);
    assert.notEqual(genesisMac(KEY, "hq", "gw-02"), GENESIS);
    assert.notEqual(genesisMac(KEY, "hq-gw", "01"), genesisMac(KEY, "hq", "gw-01"));
  });
});

void describe("verifyEntries", () => {
  void it("accepts an intact chain, from arrays and async iterables, and reports progress", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async (chain) => {
        assert.deepEqual(await verifyEntries(chain, KEY, GENESIS), {
          ok: true,
          checked: chain.length,
          lastSeq: chain.length,
        });
        const seen: number[] = [];
        async function* slowly() {
          for (const s of chain) yield await Promise.resolve(s);
        }
        assert.equal((await verifyEntries(slowly(), KEY, GENESIS, (n) => seen.push(n))).ok, true);
        assert.equal(seen.at(-1), chain.length);
      }),
    );
    assert.deepEqual(await verifyEntries([], KEY, GENESIS), { ok: true, checked: 0, lastSeq: 0 });
  });

  void it("reports any single changed field of any entry at that entry's seq as mac_mismatch", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, fc.nat(), mutationArb, async (chain, at, { field, value }) => {
        const i = at % chain.length;
        const before = entryOf(chain[i]);
        fc.pre(JSON.stringify(before[field]) !== JSON.stringify(value));
        const tampered = chain.map((s, j) => (j === i ? { key: s.key, value: { ...before, [field]: value } } : s));
        const result = await verifyEntries(tampered, KEY, GENESIS);
        assert.deepEqual(result, {
          ok: false,
          checked: i,
          lastSeq: i,
          firstBad: { seq: i + 1, reason: "mac_mismatch" },
        });
      }),
    );
  });

  void it("reports a changed link or seq field at that entry, and a foreign key or genesis at seq 1", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, fc.nat(), async (chain, at) => {
        const i = at % chain.length;
        const with_ = (patch: Record<string, unknown>): Stored[] =>
          chain.map((s, j) => (j === i ? { key: s.key, value: { ...entryOf(s), ...patch } } : s));
        const bad = async (stored: Stored[], key = KEY, genesis = GENESIS) =>
          (await verifyEntries(stored, key, genesis)).firstBad;
        assert.deepEqual(await bad(with_({ prev_mac: "a".repeat(64) })), { seq: i + 1, reason: "prev_mismatch" });
        assert.deepEqual(await bad(with_({ mac: "b".repeat(64) })), { seq: i + 1, reason: "mac_mismatch" });
        assert.deepEqual(await bad(with_({ seq: i + 2 })), { seq: i + 1, reason: "out_of_order" });
        assert.deepEqual(await bad(with_({ result: "maybe" })), { seq: i + 1, reason: "malformed" });
        assert.deepEqual(await bad(with_({ mac: undefined })), { seq: i + 1, reason: "malformed" });
        const otherKey = Buffer.from("not-the-key-not-the-key-not-the-key");
        assert.deepEqual(await bad(chain, otherKey, genesisMac(otherKey, "hq", "gw-01")), {
          seq: 1,
          reason: "prev_mismatch",
        });
        assert.deepEqual(await bad(chain, otherKey), { seq: 1, reason: "mac_mismatch" });
        assert.deepEqual(await bad(chain, KEY, genesisMac(KEY, "hq", "gw-02")), { seq: 1, reason: "prev_mismatch" });
      }),
    );
  });

  void it("reports a deleted entry as a gap at its seq; a cut tail is a shorter valid chain", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, fc.nat(), async (chain, at) => {
        const i = at % chain.length;
        const result = await verifyEntries(chain.toSpliced(i, 1), KEY, GENESIS);
        if (i === chain.length - 1)
          assert.deepEqual(result, { ok: true, checked: i, lastSeq: i }, "truncation is for checkpoints to catch");
        else assert.deepEqual(result, { ok: false, checked: i, lastSeq: i, firstBad: { seq: i + 1, reason: "gap" } });
      }),
    );
  });

  void it("reports two swapped entries at the first of them, whether or not their seq fields were fixed up", async () => {
    await fc.assert(
      fc.asyncProperty(
        chainArb.filter((c) => c.length >= 2),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        async (chain, x, y, fixSeq) => {
          const i = x % chain.length;
          const j = y % chain.length;
          fc.pre(i !== j);
          const [lo, hi] = i < j ? [i, j] : [j, i];
          const moved = (from: number, to: number): Stored => ({
            key: chain[to]!.key,
            value: fixSeq ? { ...entryOf(chain[from]), seq: to + 1 } : entryOf(chain[from]),
          });
          const swapped = chain.map((s, k) => (k === lo ? moved(hi, lo) : k === hi ? moved(lo, hi) : s));
          const result = await verifyEntries(swapped, KEY, GENESIS);
          assert.equal(result.ok, false);
          assert.equal(result.firstBad?.seq, lo + 1);
          assert.equal(result.firstBad?.reason, fixSeq ? "prev_mismatch" : "out_of_order");
          assert.equal(result.checked, lo);
        },
      ),
    );
  });

  void it("reports keys it never writes and missing first entries", async () => {
    const chain = makeChain([
      { actor: "a", action: "x.y", target: "t", result: "ok" },
      { actor: "b", action: "x.y", target: "t", result: "ok" },
    ]);
    assert.deepEqual((await verifyEntries([...chain, { key: "zzz", value: {} }], KEY, GENESIS)).firstBad, {
      seq: 3,
      reason: "malformed",
    });
    assert.deepEqual((await verifyEntries(chain.slice(1), KEY, GENESIS)).firstBad, { seq: 1, reason: "gap" });
    assert.deepEqual((await verifyEntries([{ key: auditKey(0), value: {} }, ...chain], KEY, GENESIS)).firstBad, {
      seq: 1,
      reason: "out_of_order",
    });
    assert.deepEqual((await verifyEntries([{ key: chain[0]!.key, value: "text" }], KEY, GENESIS)).firstBad, {
      seq: 1,
      reason: "malformed",
    });
  });
});
