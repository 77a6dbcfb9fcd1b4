// The uplink envelope and MQTT topic layout: what the central server parses and subscribes to.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isEnvelope, makeEnvelope, STREAMS, type StreamName } from "../../src/contract/envelope.js";
import { baseTopic, gatewayTopics } from "../../src/contract/topics.js";

const fieldsArb = fc.record({
  id: fc.uuid(),
  stream: fc.constantFrom<StreamName>(...STREAMS),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  // Years 1970..9999: what a gateway clock can plausibly say, and what ISO-8601 writes without a sign.
  ts: fc.date({
    min: new Date("1970-01-01T00:00:00Z"),
    max: new Date("9999-12-31T23:59:59.999Z"),
    noInvalidDate: true,
  }),
  site: fc.stringMatching(/^[a-z0-9_-]{1,64}$/),
  gateway: fc.stringMatching(/^[a-z0-9_-]{1,64}$/),
  type: fc.constantFrom("incident.started", "incident.ended", "audit.entry"),
  data: fc.jsonValue(),
});

const valid = () =>
  makeEnvelope({
    id: "6f1c1c1e-3c0c-4a47-9a3e-9d7e8b1c0f00",
    stream: "incidents",
    seq: 1,
    ts: new Date("2024-05-01T12:00:00.000Z"),
    site: "hq",
    gateway: "gw-01",
    type: "incident.started",
    data: { camera: "door" },
  });

void describe("makeEnvelope / isEnvelope", () => {
  void it("every envelope made is valid, also after a JSON round trip, with an ISO UTC timestamp", () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        const env = makeEnvelope(fields);
        assert.ok(isEnvelope(env));
        assert.ok(isEnvelope(JSON.parse(JSON.stringify(env))));
        assert.equal(env.ts, fields.ts.toISOString());
        assert.match(env.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.equal(new Date(env.ts).getTime(), fields.ts.getTime());
        assert.equal(env.seq, fields.seq);
        assert.equal(env.id, fields.id);
        assert.equal(env.stream, fields.stream);
        assert.deepEqual(env.data, fields.data);
      }),
    );
  });

  void it("the timestamp is UTC whatever the local time zone", () => {
    const env = makeEnvelope({ ...valid(), ts: new Date(Date.UTC(2024, 0, 31, 23, 30, 5, 7)) });
    assert.equal(env.ts, "2024-01-31T23:30:05.007Z");
  });

  void it("refuses a seq that is not a positive safe integer", () => {
    for (const seq of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      assert.throws(() => makeEnvelope({ ...valid(), ts: new Date(), seq }), RangeError, String(seq));
    }
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
        ),
        (seq) => {
          assert.throws(() => makeEnvelope({ ...valid(), ts: new Date(), seq }), RangeError);
        },
      ),
    );
  });

  void it("isEnvelope rejects each missing field", () => {
    const env = valid() as unknown as Record<string, unknown>;
    assert.ok(isEnvelope(env));
    for (const key of ["id", "stream", "seq", "ts", "site", "gateway", "type", "data"]) {
      const copy: Record<string, unknown> = { ...env };
      delete copy[key];
      assert.equal(isEnvelope(copy), false, `without ${key}`);
    }
    // data may be null, but must be present.
    assert.ok(isEnvelope({ ...env, data: null }));
  });

  void it("isEnvelope rejects unknown streams, bad seqs, non-UTC timestamps and non-objects", () => {
    const env = valid();
    const bad: unknown[] = [
      { ...env, stream: "incident" },
      { ...env, stream: "INCIDENTS" },
      { ...env, stream: "telemetry" },
      { ...env, id: "" },
      { ...env, seq: 0 },
      { ...env, seq: 2.5 },
      { ...env, seq: "3" },
      { ...env, ts: "2024-05-01T14:00:00+02:00" },
      { ...env, ts: "2024-05-01 12:00:00Z" },
      { ...env, ts: 1714564800000 },
      { ...env, site: 7 },
      null,
      undefined,
      "envelope",
      [],
    ];
    for (const value of bad) assert.equal(isEnvelope(value), false, JSON.stringify(value));
  });
});

void describe("topics", () => {
  void it("lays out <prefix>/<site>/<gateway>/<stream>", () => {
    const t = gatewayTopics("vigil", "hq", "gw-01");
    assert.equal(t.base, "vigil/hq/gw-01");
    assert.equal(t.stream("incidents"), "vigil/hq/gw-01/incidents");
    assert.equal(t.stream("audit"), "vigil/hq/gw-01/audit");
    assert.equal(t.status, "vigil/hq/gw-01/status");
    assert.equal(t.health, "vigil/hq/gw-01/health");
  });

  void it("a prefix may have levels, and trailing slashes do not create empty levels", () => {
    assert.equal(gatewayTopics("vigil/acme", "hq", "gw-01").stream("alerts"), "vigil/acme/hq/gw-01/alerts");
    assert.equal(gatewayTopics("vigil/", "hq", "gw-01").stream("incidents"), "vigil/hq/gw-01/incidents");
    assert.equal(baseTopic("tenants/acme///", "hq", "gw-01"), "tenants/acme/hq/gw-01");
  });

  void it("for any prefix, topics never contain an empty level after the prefix and end with the stream", () => {
    const level = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(level, { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 3 }),
        level,
        level,
        fc.constantFrom<StreamName>(...STREAMS),
        (levels, slashes, site, gw, stream) => {
          const prefix = levels.join("/") + "/".repeat(slashes);
          const topic = gatewayTopics(prefix, site, gw).stream(stream);
          assert.equal(topic, [...levels, site, gw, stream].join("/"));
          assert.ok(!topic.includes("//"));
          assert.ok(!/[#+]/.test(topic));
        },
      ),
    );
  });
});
