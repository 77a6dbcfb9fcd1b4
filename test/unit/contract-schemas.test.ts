// The published JSON Schemas of the MQTT contract (docs/schemas): the committed files are what the
// exporter writes, and real payloads (made by the code that makes them on the box) validate, while
// broken ones do not. Also checks the verification recipes docs/mqtt.md gives central developers.
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import fc from "fast-check";
import { CompactSign, compactVerify, decodeProtectedHeader } from "jose";
import { canonicalJson } from "../../src/audit/canonical.js";
import { type AuditEntryBody, auditMac, genesisMac } from "../../src/audit/chain.js";
import {
  type CheckpointData,
  checkpointPublicJwk,
  generateCheckpointKeyPem,
  signCheckpoint,
} from "../../src/audit/checkpoint.js";
import type { AuditEntry, AuditInput, AuditRecorder } from "../../src/contract/audit.js";
import type { CommandResult } from "../../src/contract/command.js";
import { type Envelope, isEnvelope, makeEnvelope, STREAMS } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import {
  AuditCheckpointEnvelopeSchema,
  AuditEntryDataSchema,
  AuditEntryEnvelopeSchema,
  CheckpointDataSchema,
  OutboxFullAlertEnvelopeSchema,
  CommandResultSchema,
  CommandSchema,
  EnvelopeSchema,
  IncidentEnvelopeSchema,
  IncidentSchema,
  StatusSchema,
} from "../../src/contract/schemas.js";
import { exportSchemas, schemaFileText, writeSchemaFiles } from "../../src/contract/schema-files.js";
import type { StatusPayload } from "../../src/contract/topics.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/logger.js";
import { VERSION } from "../../src/core/version.js";
import { Database } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";
import { registerBuiltinCommands } from "../../src/sync/commands/builtin-commands.js";
import { CommandDispatcher } from "../../src/sync/commands/command-dispatcher.js";
import type { StoredCommand } from "../../src/sync/commands/command-store.js";
import { type CommandPayload, COMMANDS_DEFAULTS, CommandVerifier } from "../../src/sync/commands/command-verifier.js";
import { Outbox } from "../../src/store/outbox.js";
import { ROOT } from "../helpers/repo-root.js";

// Compile-time: schemas against types that live outside src/contract (the rest are checked in
// src/contract/schemas.ts). A drift fails the build.
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
type Assert<T extends true> = T;
export type OutsideContractChecks = [
  Assert<Same<Static<typeof CheckpointDataSchema>, CheckpointData>>,
  Assert<Same<Static<typeof CommandSchema>, CommandPayload>>,
];

const SCHEMA_DIR = join(ROOT, "docs", "schemas");
const REGENERATE = `npx tsc -p tsconfig.json && node -e "import('./dist/src/contract/schema-files.js').then((m) => m.writeSchemaFiles('docs/schemas'))"`;

const SITE = "hq";
const GATEWAY = "gw-01";
const AUD = `${SITE}/${GATEWAY}`;
const BASE = `vigil/${AUD}`;
const HMAC_KEY = Buffer.from("audit-hmac-key-for-tests-only-0123456789", "utf8");
const silent = createLogger({
  level: "silent",
  destination: new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  }),
});

/** Passes, or fails naming every error with its path (what a central developer would see). */
function assertValid(schema: TSchema, value: unknown, what: string): void {
  const errors = [...Value.Errors(schema, value)].map((e) => `${e.path || "/"}: ${e.message}`);
  assert.deepEqual(errors, [], `${what} does not validate against ${String(schema.$id ?? schema.description)}`);
}

/** Fails, and the first error is at `path` (so it fails for the reason the case is about). */
function assertInvalid(schema: TSchema, value: unknown, path: string, what: string): void {
  assert.equal(Value.Check(schema, value), false, `${what} should not validate`);
  const paths = [...Value.Errors(schema, value)].map((e) => e.path);
  assert.ok(
    paths.some((p) => p === path || p.startsWith(`${path}/`)),
    `${what}: expected an error at ${path}, got ${paths.join(", ")}`,
  );
}

const wire = <T>(value: T): unknown => JSON.parse(JSON.stringify(value)) as unknown;

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: "37e902d8-422d-4289-9c65-f1764b87779a",
    version: 1,
    camera_id: "lobby",
    rule: "face_present",
    zone: null,
    status: "open",
    confidence: 0.944,
    objects: [{ label: "face", score: 0.944, box: { x1: 0.41, y1: 0.18, x2: 0.52, y2: 0.33 } }],
    started_at: "2026-11-22T12:13:45.740Z",
    last_seen_at: "2026-11-22T12:13:46.140Z",
    ended_at: null,
    summary: "Face seen on camera lobby for 3 consecutive frames",
    next_step: "monitor",
    history: [{ at: "2026-11-22T12:13:46.149Z", actor: "system", action: "created", before: null, after: "open" }],
    ...over,
  };
}

let seqs = 0;
function envelope<T>(stream: Envelope["stream"], type: string, data: T): Envelope<T> {
  seqs += 1;
  return makeEnvelope({
    id: `5f0c2b8e-0000-4000-8000-${seqs.toString().padStart(12, "0")}`,
    stream,
    seq: seqs,
    ts: new Date("2026-11-22T12:13:46.149Z"),
    site: SITE,
    gateway: GATEWAY,
    type,
    data,
  });
}

/** The chain exactly as AuditLog builds it (JSON-normalised fields, seq, ts, prev_mac, then mac). */
class ChainRecorder implements AuditRecorder {
  readonly entries: AuditEntry[] = [];
  private head = genesisMac(HMAC_KEY, SITE, GATEWAY);
  async record(input: AuditInput): Promise<AuditEntry> {
    const fields = JSON.parse(canonicalJson(input)) as AuditInput;
    const body: AuditEntryBody = {
      seq: this.entries.length + 1,
      ts: new Date().toISOString(),
      ...fields,
      prev_mac: this.head,
    };
    const entry: AuditEntry = { ...body, mac: auditMac(HMAC_KEY, this.head, body) };
    this.head = entry.mac;
    this.entries.push(entry);
    return entry;
  }
}

/** Every `properties` member at every depth, with its JSON pointer, for the description check. */
function* propertiesOf(schema: unknown, path: string): Generator<[string, Record<string, unknown>]> {
  if (typeof schema !== "object" || schema === null) return;
  const s = schema as Record<string, unknown>;
  for (const [name, sub] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
    yield [`${path}/properties/${name}`, sub as Record<string, unknown>];
    yield* propertiesOf(sub, `${path}/properties/${name}`);
  }
  for (const [i, sub] of ((s.anyOf ?? []) as unknown[]).entries()) yield* propertiesOf(sub, `${path}/anyOf/${i}`);
  if (s.items !== undefined) yield* propertiesOf(s.items, `${path}/items`);
}

void describe("docs/schemas", () => {
  void it("holds exactly what exportSchemas() produces", async () => {
    const expected = exportSchemas();
    const files = (await readdir(SCHEMA_DIR)).filter((f) => f.endsWith(".json")).sort();
    const stale = files.filter((f) => !(f in expected));
    assert.deepEqual(
      stale,
      [],
      `docs/schemas has files the exporter no longer writes: delete them, then regenerate with\n  ${REGENERATE}`,
    );
    for (const [file, schema] of Object.entries(expected)) {
      let committed: string;
      try {
        committed = await readFile(join(SCHEMA_DIR, file), "utf8");
      } catch {
        assert.fail(`docs/schemas/${file} is missing; regenerate with\n  ${REGENERATE}`);
      }
      assert.equal(
        committed,
        schemaFileText(schema),
        `docs/schemas/${file} differs from src/contract/schemas.ts (via schema-files.ts); regenerate with\n  ${REGENERATE}`,
      );
    }
  });

  void it("writeSchemaFiles writes one 2-space JSON file per schema, the same text the test compares", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-schemas-"));
    try {
      const written = await writeSchemaFiles(join(dir, "nested"));
      assert.deepEqual(
        written.map((p) => p.slice(join(dir, "nested").length + 1)).sort(),
        Object.keys(exportSchemas()).sort(),
      );
      for (const [file, schema] of Object.entries(exportSchemas())) {
        const text = await readFile(join(dir, "nested", file), "utf8");
        assert.equal(text, `${JSON.stringify(schema, null, 2)}\n`);
        assert.deepEqual(JSON.parse(text), schema);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it("each schema has a unique versioned URN $id, a dialect, a title, a description, and every field a description", () => {
    const ids = new Set<string>();
    for (const [file, schema] of Object.entries(exportSchemas()) as [string, Record<string, unknown>][]) {
      assert.match(String(schema.$id), /^urn:vigil:schema:[a-z-]+:\d+$/, file);
      assert.equal(schema.$id, `urn:vigil:schema:${file.replace(/\.json$/, "")}:1`, `${file}: $id names the file`);
      assert.ok(!ids.has(String(schema.$id)), `${file}: duplicate $id`);
      ids.add(String(schema.$id));
      assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#", file);
      assert.ok(typeof schema.title === "string" && schema.title.length > 0, `${file}: title`);
      assert.ok(typeof schema.description === "string" && schema.description.length > 0, `${file}: description`);
      for (const [pointer, sub] of propertiesOf(schema, "")) {
        assert.ok(
          typeof sub.description === "string" && sub.description.length > 0,
          `${file}#${pointer} has no description`,
        );
        // Only the top level carries an $id: validators refuse the same $id loaded twice.
        assert.equal(sub.$id, undefined, `${file}#${pointer} has an $id`);
      }
      // Forward compatibility: the contract tells consumers to ignore unknown fields.
      assert.ok(!JSON.stringify(schema).includes('"additionalProperties":false'), `${file} forbids unknown fields`);
      // Standard keywords only: no format (needs registration), no TypeBox-only keywords.
      assert.ok(!/"(format|transform|\[Kind\])"/.test(JSON.stringify(schema)), `${file} uses a non-portable keyword`);
    }
    assert.equal(ids.size, Object.keys(exportSchemas()).length, "every schema its own $id");
  });
});

void describe("envelope schemas against real payloads", () => {
  void it("makeEnvelope output validates as a generic envelope, before and after a JSON round trip, for every stream", () => {
    for (const stream of STREAMS) {
      const env = envelope(stream, "camera.offline", { camera_id: "lobby" });
      assertValid(EnvelopeSchema, env, `${stream} envelope`);
      assertValid(EnvelopeSchema, wire(env), `${stream} envelope on the wire`);
    }
  });

  void it("the generic schema never accepts what isEnvelope refuses, and accepts everything makeEnvelope makes", () => {
    const made = fc.record({
      id: fc.uuid(),
      stream: fc.constantFrom(...STREAMS),
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      ts: fc.date({
        min: new Date("1970-01-01T00:00:00Z"),
        max: new Date("9999-12-31T23:59:59.999Z"),
        noInvalidDate: true,
      }),
      site: fc.stringMatching(/^[a-z0-9_-]{1,64}$/),
      gateway: fc.stringMatching(/^[a-z0-9_-]{1,64}$/),
      type: fc.constantFrom("incident.created", "audit.entry", "camera.offline"),
      data: fc.jsonValue(),
    });
    fc.assert(fc.property(made, (fields) => assert.ok(Value.Check(EnvelopeSchema, wire(makeEnvelope(fields))))));
    const junk = fc.record(
      {
        id: fc.oneof(fc.uuid(), fc.constant(""), fc.integer()),
        stream: fc.oneof(fc.constantFrom(...STREAMS), fc.constant("metrics")),
        seq: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.constant("1")),
        ts: fc.oneof(fc.constant("2026-11-22T12:13:46.149Z"), fc.constant("2026-11-22T12:13:46+01:00"), fc.string()),
        site: fc.oneof(fc.constant("hq"), fc.string()),
        gateway: fc.oneof(fc.constant("gw-01"), fc.integer()),
        type: fc.oneof(fc.constant("incident.created"), fc.constant(7)),
        data: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(junk, (value) => !Value.Check(EnvelopeSchema, value) || isEnvelope(value)));
  });

  void it("incident.created and incident.updated (ended, with a note in the history) validate", () => {
    const created = envelope("incidents", "incident.created", incident());
    assertValid(IncidentEnvelopeSchema, wire(created), "incident.created");
    assertValid(EnvelopeSchema, wire(created), "incident.created as a generic envelope");
    const updated = envelope(
      "incidents",
      "incident.updated",
      incident({
        version: 2,
        zone: "entrance",
        status: "monitoring",
        last_seen_at: "2026-11-22T12:14:02.000Z",
        ended_at: "2026-11-22T12:14:02.000Z",
        history: [
          ...incident().history,
          {
            at: "2026-11-22T12:15:00.000Z",
            actor: "alice",
            action: "decision",
            before: "open",
            after: "monitoring",
            note: "known visitor",
          },
        ],
      }),
    );
    assertValid(IncidentEnvelopeSchema, wire(updated), "incident.updated");
    assertValid(IncidentSchema, wire(updated.data), "the incident document alone");
  });

  void it("an audit.entry made with the real chain functions validates, and its MAC checks out by the documented recipe", async () => {
    const recorder = new ChainRecorder();
    await recorder.record({
      actor: "system",
      action: "system.start",
      target: `gateway:${AUD}`,
      result: "ok",
      details: { version: VERSION },
    });
    await recorder.record({
      actor: "alice",
      source: "10.0.0.0",
      action: "auth.login",
      target: "user:alice",
      result: "denied",
    });
    let prev = createHmac("sha256", HMAC_KEY)
      .update(`vigil-audit-genesis:{"gateway":"${GATEWAY}","site":"${SITE}"}`)
      .digest("hex");
    for (const entry of recorder.entries) {
      const received = wire(envelope("audit", "audit.entry", entry)) as Envelope<Record<string, unknown>>;
      assertValid(AuditEntryEnvelopeSchema, received, `audit entry ${entry.seq}`);
      assertValid(AuditEntryDataSchema, received.data, `audit entry ${entry.seq} data`);
      // docs/mqtt.md: mac = HMAC-SHA256(key, prev_mac + JCS(data without mac)); entry 1 links to genesis.
      const { mac, ...withoutMac } = received.data;
      assert.equal(received.data.prev_mac, prev);
      assert.equal(
        createHmac("sha256", HMAC_KEY)
          .update(String(received.data.prev_mac) + canonicalJson(withoutMac))
          .digest("hex"),
        mac,
      );
      prev = String(mac);
    }
  });

  void it("an audit.checkpoint signed with the real key and signer validates, and verifies by the documented recipe", async () => {
    const pem = generateCheckpointKeyPem();
    const recorder = new ChainRecorder();
    const head = await recorder.record({
      actor: "system",
      action: "system.start",
      target: `gateway:${AUD}`,
      result: "ok",
    });
    const ts = new Date().toISOString();
    const jws = await signCheckpoint(pem, { site: SITE, gateway: GATEWAY, seq: head.seq, mac: head.mac, ts });
    const data: CheckpointData = { seq: head.seq, mac: head.mac, ts, jws };
    const received = wire(envelope("audit", "audit.checkpoint", data)) as Envelope<CheckpointData>;
    assertValid(AuditCheckpointEnvelopeSchema, received, "audit.checkpoint");
    assertValid(CheckpointDataSchema, received.data, "checkpoint data");
    // docs/mqtt.md: EdDSA, typ vigil-audit-checkpoint, kid = the pubkey's kid, payload = JCS of the claims.
    const jwk = checkpointPublicJwk(pem);
    const header = decodeProtectedHeader(received.data.jws);
    assert.deepEqual(header, { alg: "EdDSA", typ: "vigil-audit-checkpoint", kid: jwk.kid });
    const { payload } = await compactVerify(received.data.jws, jwk, { algorithms: ["EdDSA"] });
    assert.equal(
      Buffer.from(payload).toString("utf8"),
      canonicalJson({ site: SITE, gateway: GATEWAY, seq: head.seq, mac: head.mac, ts }),
    );
    // An audit.checkpoint is not an audit.entry and the other way round.
    assertInvalid(AuditEntryEnvelopeSchema, received, "/type", "checkpoint as an entry");
    assertInvalid(
      AuditCheckpointEnvelopeSchema,
      wire(envelope("audit", "audit.entry", head)),
      "/type",
      "entry as a checkpoint",
    );
  });

  void it("the outbox.full alert the real outbox queues when it refuses an incident validates", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-schema-outbox-"));
    const db = new Database(dir, silent);
    await db.start();
    const commits = new GroupCommit(db);
    const outbox = new Outbox(
      db,
      commits,
      { site: SITE, gateway: GATEWAY },
      { maxBytes: 4_000, policy: "shed-alerts-then-refuse-incidents", ttlS: {} },
      silent,
    );
    await outbox.start();
    try {
      let refused = false;
      for (let i = 0; i < 20 && !refused; i++) {
        await outbox
          .append("incidents", "incident.created", incident({ id: `incident-${i}` }))
          .catch((err: unknown) => {
            assert.equal((err as { code?: unknown }).code, ErrorCodes.OUTBOX_FULL);
            refused = true;
          });
      }
      assert.ok(refused, "an incident was refused");
      let alerts = await outbox.read("alerts", 0, 10);
      for (let i = 0; i < 100 && alerts.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        alerts = await outbox.read("alerts", 0, 10);
      }
      assert.equal(alerts.length, 1, "one outbox.full alert queued");
      const alert = wire(alerts[0]?.envelope);
      assertValid(OutboxFullAlertEnvelopeSchema, alert, "outbox.full");
      assertValid(EnvelopeSchema, alert, "outbox.full as a generic envelope");
      assert.deepEqual((alert as Envelope<{ refused: unknown }>).data.refused, {
        stream: "incidents",
        type: "incident.created",
      });
      assertInvalid(
        OutboxFullAlertEnvelopeSchema,
        {
          ...(alert as object),
          data: { policy: "drop-everything", max_bytes: 1, used_bytes: 1, refused: { stream: "incidents", type: "x" } },
        },
        "/data/policy",
        "unknown policy",
      );
    } finally {
      await outbox.stop();
      await commits.stop();
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it("the retained status payload validates for each state", () => {
    for (const state of ["online", "offline", "stopped"] as const) {
      const status: StatusPayload = { state, ts: new Date().toISOString(), version: VERSION };
      assertValid(StatusSchema, wire(status), `status ${state}`);
    }
  });
});

void describe("envelope schemas refuse broken payloads", () => {
  const good = (): Record<string, unknown> =>
    wire(envelope("incidents", "incident.created", incident())) as Record<string, unknown>;
  const without = (key: string): Record<string, unknown> => {
    const { [key]: _gone, ...rest } = good();
    return rest;
  };

  void it("a missing envelope field, naming it", () => {
    for (const key of ["id", "stream", "seq", "ts", "site", "gateway", "type", "data"]) {
      assertInvalid(EnvelopeSchema, without(key), `/${key}`, `generic envelope without ${key}`);
      assertInvalid(IncidentEnvelopeSchema, without(key), `/${key}`, `incident envelope without ${key}`);
    }
  });

  void it("seq 0, negative, fractional, beyond 2^53 - 1, or a string", () => {
    for (const seq of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, "1"])
      assertInvalid(EnvelopeSchema, { ...good(), seq }, "/seq", `seq ${String(seq)}`);
  });

  void it("an unknown stream, or the wrong stream or type for a typed envelope", () => {
    assertInvalid(EnvelopeSchema, { ...good(), stream: "metrics" }, "/stream", "stream metrics");
    assertInvalid(IncidentEnvelopeSchema, { ...good(), stream: "audit" }, "/stream", "incident on the audit stream");
    assertInvalid(IncidentEnvelopeSchema, { ...good(), type: "incident.deleted" }, "/type", "type incident.deleted");
    assertInvalid(AuditEntryEnvelopeSchema, good(), "/stream", "incident as an audit entry");
  });

  void it("a timestamp that is not ISO 8601 UTC, an empty id, a site that could not be in a topic", () => {
    for (const ts of ["2026-11-22T13:13:46.149+01:00", "2026-11-22 12:13:46Z", "1764000000000", ""])
      assertInvalid(EnvelopeSchema, { ...good(), ts }, "/ts", `ts ${ts}`);
    assertInvalid(EnvelopeSchema, { ...good(), id: "" }, "/id", "empty id");
    assertInvalid(EnvelopeSchema, { ...good(), site: "HQ/1" }, "/site", "site HQ/1");
  });

  void it("incident data that breaks the document: no status, unknown status, version 0, score above 1, ended_at not a time", () => {
    const data = good().data as Record<string, unknown>;
    const { status: _s, ...noStatus } = data;
    assertInvalid(IncidentEnvelopeSchema, { ...good(), data: noStatus }, "/data/status", "no status");
    assertInvalid(
      IncidentEnvelopeSchema,
      { ...good(), data: { ...data, status: "resolved" } },
      "/data/status",
      "status resolved",
    );
    assertInvalid(IncidentEnvelopeSchema, { ...good(), data: { ...data, version: 0 } }, "/data/version", "version 0");
    assertInvalid(
      IncidentEnvelopeSchema,
      { ...good(), data: { ...data, objects: [{ label: "face", score: 1.2, box: { x1: 0, y1: 0, x2: 1, y2: 1 } }] } },
      "/data/objects/0/score",
      "score 1.2",
    );
    assertInvalid(
      IncidentEnvelopeSchema,
      { ...good(), data: { ...data, ended_at: "yesterday" } },
      "/data/ended_at",
      "ended_at yesterday",
    );
    assertInvalid(
      IncidentEnvelopeSchema,
      { ...good(), data: { ...data, next_step: "arrest" } },
      "/data/next_step",
      "next_step arrest",
    );
  });

  void it("audit data with a malformed MAC, seq 0 or an unknown result; a checkpoint whose jws is not compact", () => {
    const entry: AuditEntry = {
      seq: 1,
      ts: "2026-11-22T12:13:46.149Z",
      actor: "system",
      action: "system.start",
      target: "gateway:hq/gw-01",
      result: "ok",
      prev_mac: "a".repeat(64),
      mac: "b".repeat(64),
    };
    assertValid(AuditEntryDataSchema, entry, "entry");
    assertInvalid(AuditEntryDataSchema, { ...entry, mac: "B".repeat(64) }, "/mac", "upper-case mac");
    assertInvalid(AuditEntryDataSchema, { ...entry, prev_mac: "ab" }, "/prev_mac", "short prev_mac");
    assertInvalid(AuditEntryDataSchema, { ...entry, seq: 0 }, "/seq", "audit seq 0");
    assertInvalid(AuditEntryDataSchema, { ...entry, result: "maybe" }, "/result", "result maybe");
    assertInvalid(AuditEntryDataSchema, { ...entry, details: ["x"] }, "/details", "details as an array");
    const checkpoint: CheckpointData = {
      seq: 0,
      mac: "c".repeat(64),
      ts: "2026-11-22T12:13:46.149Z",
      jws: "aGVhZA.cGF5bG9hZA.c2ln",
    };
    assertValid(CheckpointDataSchema, checkpoint, "checkpoint of an empty chain");
    assertInvalid(CheckpointDataSchema, { ...checkpoint, jws: "aGVhZA.cGF5bG9hZA" }, "/jws", "two-part jws");
    assertInvalid(CheckpointDataSchema, { ...checkpoint, seq: -1 }, "/seq", "checkpoint seq -1");
  });

  void it("a status with an unknown state or no version", () => {
    assertInvalid(
      StatusSchema,
      { state: "sleeping", ts: "2026-11-22T12:13:46.149Z", version: "0.1.0" },
      "/state",
      "state sleeping",
    );
    assertInvalid(StatusSchema, { state: "online", ts: "2026-11-22T12:13:46.149Z" }, "/version", "no version");
  });

  void it("but accepts unknown fields at the top level and in data (consumers ignore them)", () => {
    assertValid(
      IncidentEnvelopeSchema,
      { ...good(), trace_id: "abc", data: { ...(good().data as object), risk: 3 } },
      "envelope with unknown fields",
    );
    assertValid(
      StatusSchema,
      { state: "online", ts: "2026-11-22T12:13:46.149Z", version: "0.1.0", uptime_s: 5 },
      "status with an unknown field",
    );
  });
});

void describe("command and command result schemas against the real verifier and dispatcher", () => {
  let dir: string;
  let keyFile: string;
  let central: ReturnType<typeof generateKeyPairSync>;
  let dispatcher: CommandDispatcher;
  let recorder: ChainRecorder;
  const checkpointPem = generateCheckpointKeyPem();
  const nowS = (): number => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: "cmd-1",
    name: "health.request",
    aud: AUD,
    iat: nowS(),
    exp: nowS() + 60,
    args: {},
    ...over,
  });
  const sign = (payload: unknown): Promise<string> =>
    new CompactSign(Buffer.from(JSON.stringify(payload), "utf8"))
      .setProtectedHeader({ alg: "EdDSA" })
      .sign(central.privateKey);
  const send = async (name: string, token: string): Promise<CommandResult> => {
    const answer = await dispatcher.handle(`${BASE}/cmd/${name}`, Buffer.from(token, "utf8"));
    assert.ok(answer, `${name} is a command topic`);
    return answer.result;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-schema-cmd-"));
    central = generateKeyPairSync("ed25519");
    keyFile = join(dir, "central.pem");
    await writeFile(keyFile, central.publicKey.export({ type: "spki", format: "pem" }).toString());
    const verifier = new CommandVerifier({ keyFile, ...COMMANDS_DEFAULTS, audience: AUD });
    await verifier.start();
    const results = new Map<string, StoredCommand>();
    const store = {
      get: async (id: string) => results.get(id),
      put: async (id: string, name: string, result: CommandResult, exp: number) =>
        void results.set(id, { name, result, exp }),
    };
    recorder = new ChainRecorder();
    dispatcher = new CommandDispatcher({ base: BASE, verifier, store, audit: recorder, log: silent });
    registerBuiltinCommands(dispatcher, {
      health: () => ({ version: VERSION, uptime_s: 12, uplink: null }),
      checkpointNow: async () => {
        const head = recorder.entries.at(-1);
        const [seq, mac] = head ? [head.seq, head.mac] : [0, genesisMac(HMAC_KEY, SITE, GATEWAY)];
        const ts = new Date().toISOString();
        return {
          seq,
          mac,
          ts,
          jws: await signCheckpoint(checkpointPem, { site: SITE, gateway: GATEWAY, seq, mac, ts }),
        } satisfies CheckpointData;
      },
    });
    await dispatcher.start();
  });
  after(async () => {
    await dispatcher.stop();
    await rm(dir, { recursive: true, force: true });
  });

  void it("a command the real verifier accepts validates against the command schema, and one it refuses as malformed does not", async () => {
    const verifier = new CommandVerifier({ keyFile, ...COMMANDS_DEFAULTS, audience: AUD });
    await verifier.start();
    const accepted = claims({ args: { verbose: true }, extra_claim: 1 });
    await verifier.verify("health.request", await sign(accepted));
    assertValid(CommandSchema, accepted, "an accepted command");
    for (const [key, path] of [
      ["id", "/id"],
      ["args", "/args"],
      ["aud", "/aud"],
      ["exp", "/exp"],
    ] as const) {
      const { [key]: _gone, ...broken } = accepted;
      await assert.rejects(
        verifier.verify("health.request", await sign(broken)),
        { code: ErrorCodes.COMMAND_MALFORMED },
        `verifier without ${key}`,
      );
      assertInvalid(CommandSchema, broken, path, `command without ${key}`);
    }
    assertInvalid(CommandSchema, { ...accepted, args: [] }, "/args", "args as an array");
    assertInvalid(CommandSchema, { ...accepted, name: "cmd/+" }, "/name", "a name that is no topic level");
    assertInvalid(CommandSchema, { ...accepted, iat: String(nowS()) }, "/iat", "iat as a string");
  });

  void it("every result the dispatcher publishes validates: success with data, refusals with and without an id, unknown command, replay", async () => {
    const results: [string, CommandResult][] = [
      ["health.request", await send("health.request", await sign(claims({ id: "h-1" })))],
      ["replayed health.request", await send("health.request", await sign(claims({ id: "h-1" })))],
      ["audit.checkpoint", await send("audit.checkpoint", await sign(claims({ id: "c-1", name: "audit.checkpoint" })))],
      ["unknown command", await send("incident.decide", await sign(claims({ id: "u-1", name: "incident.decide" })))],
      [
        "expired",
        await send("health.request", await sign(claims({ id: "e-1", iat: nowS() - 600, exp: nowS() - 300 }))),
      ],
      ["wrong audience", await send("health.request", await sign(claims({ id: "a-1", aud: "hq/gw-02" })))],
      ["name mismatch", await send("audit.checkpoint", await sign(claims({ id: "n-1" })))],
      ["too long a lifetime", await send("health.request", await sign(claims({ id: "l-1", exp: nowS() + 3600 })))],
      ["id conflict", await send("audit.checkpoint", await sign(claims({ id: "h-1", name: "audit.checkpoint" })))],
      [
        "unsigned",
        await send(
          "health.request",
          `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims({ id: "x-1" }))).toString("base64url")}.`,
        ),
      ],
      ["garbage", await send("health.request", "not a jws")],
    ];
    for (const [what, result] of results) assertValid(CommandResultSchema, wire(result), what);

    const byWhat = new Map(results);
    assert.equal(byWhat.get("health.request")?.ok, true);
    assert.deepEqual(byWhat.get("replayed health.request"), byWhat.get("health.request"));
    const checkpoint = byWhat.get("audit.checkpoint");
    assert.equal(checkpoint?.ok, true);
    assertValid(CheckpointDataSchema, checkpoint?.data, "audit.checkpoint command data");
    const codes = results.map(([, r]) => r.error?.code).filter((c) => c !== undefined);
    assert.deepEqual(codes, [
      ErrorCodes.COMMAND_UNKNOWN,
      ErrorCodes.COMMAND_EXPIRED,
      ErrorCodes.COMMAND_WRONG_AUDIENCE,
      ErrorCodes.COMMAND_NAME_MISMATCH,
      ErrorCodes.COMMAND_LIFETIME_TOO_LONG,
      ErrorCodes.COMMAND_ID_CONFLICT,
      ErrorCodes.COMMAND_UNSIGNED,
      ErrorCodes.COMMAND_MALFORMED,
    ]);
    assert.equal(byWhat.get("unsigned")?.id, "x-1", "an unsigned command's id is still read for the result");
    assert.equal(byWhat.get("garbage")?.id, null);

    // Each command was audited as a chained entry: those validate as audit.entry data too.
    assert.equal(recorder.entries.length, results.length);
    for (const entry of recorder.entries)
      assertValid(AuditEntryEnvelopeSchema, wire(envelope("audit", "audit.entry", entry)), `audit of ${entry.target}`);
  });

  void it("refuses a result that breaks the contract: failure without error, success flagged as a string, error code not VIGIL_E_", () => {
    assertInvalid(CommandResultSchema, { id: "x", ok: false }, "", "failure without error");
    assertInvalid(CommandResultSchema, { id: "x", ok: "true" }, "", "ok as a string");
    assertInvalid(
      CommandResultSchema,
      { id: "x", ok: false, error: { code: "E_BAD", message: "m" } },
      "",
      "error code without the VIGIL_E_ prefix",
    );
    assertInvalid(CommandResultSchema, { ok: true }, "", "no id");
    assertValid(
      CommandResultSchema,
      { id: null, ok: false, error: { code: ErrorCodes.COMMAND_MALFORMED, message: "command is not a compact JWS" } },
      "refusal without id",
    );
  });
});
