// The audit chain on a real LevelDB: entries and their `audit.entry` envelopes written as one
// durable batch, chain continuity across restarts and kill -9, tamper detection, listing, and
// signed checkpoints. Also `vigil audit verify` end to end.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { AuditLog } from "../../src/audit/audit-log.js";
import { auditKeyFromSecret, genesisMac } from "../../src/audit/chain.js";
import { auditKey } from "../../src/store/keys.js";
import {
  checkpointPublicJwk,
  CheckpointPublisher,
  generateCheckpointKeyPem,
  signCheckpoint,
  verifyCheckpoint,
  type CheckpointData,
} from "../../src/audit/checkpoint.js";
import { REQUIRED_SECRETS } from "../../src/config/schema.js";
import type { AuditEntry, AuditInput } from "../../src/contract/audit.js";
import type { Envelope } from "../../src/contract/envelope.js";
import { ErrorCodes, isVigilError } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/logger.js";
import type { Database } from "../../src/store/database.js";
import type { GroupCommit } from "../../src/store/group-commit.js";
import type { Outbox } from "../../src/store/outbox.js";
import { DURABLE_WRITER, killAfterLines } from "../helpers/kill9.js";
import { openStoreStack, TEST_IDENTITY } from "../helpers/store-stack.js";

const log = createLogger({
  level: "debug",
  destination: new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  }),
});
const IDENTITY = TEST_IDENTITY;
const SECRET = "test-audit-key-8f2c1e9a7b6d5c4e3f2a1b0c9d8e7f6a";
const KEY = auditKeyFromSecret(SECRET);

interface Stack {
  db: Database;
  commits: GroupCommit;
  outbox: Outbox;
  audit: AuditLog;
  close(): Promise<void>;
}

async function openStack(dataDir: string, options = { anonymiseSources: false }, now?: () => Date): Promise<Stack> {
  const store = await openStoreStack(dataDir, { log });
  const audit = new AuditLog(store.db, store.outbox, KEY, IDENTITY, options, log, now);
  await audit.start();
  return {
    ...store,
    audit,
    async close() {
      await audit.stop();
      await store.close();
    },
  };
}

const input = (i: number, extra: Partial<AuditInput> = {}): AuditInput => ({
  actor: `user${i % 3}`,
  action: i % 2 ? "incident.decision" : "auth.login",
  target: `incident:${i}`,
  result: "ok",
  details: { i },
  ...extra,
});

async function auditEnvelopes(outbox: Outbox): Promise<Envelope[]> {
  return (await outbox.read("audit", 0, 1_000_000)).map((e) => e.envelope);
}

async function storedEntries(db: Database): Promise<AuditEntry[]> {
  return (await db.sublevels.audit.values().all()) as AuditEntry[];
}

void describe("AuditLog on disk", () => {
  let root: string;
  let n = 0;
  const freshDir = (): string => join(root, `case-${n++}`);
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-audit-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("concurrent records get gap-free seqs and a valid chain, each with the same entry in an audit.entry envelope", async (t) => {
    const s = await openStack(freshDir());
    t.after(() => s.close());
    const entries = await Promise.all(Array.from({ length: 120 }, (_, i) => s.audit.record(input(i))));
    assert.deepEqual(
      entries.map((e) => e.seq),
      entries.map((_, i) => i + 1),
      "call order is seq order",
    );
    assert.deepEqual(
      entries.map((e) => e.details),
      entries.map((_, i) => ({ i })),
    );
    assert.equal(entries[0]!.prev_mac, genesisMac(KEY, "hq", "gw-01"));
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]!.prev_mac, entries[i - 1]!.mac);
    assert.ok(s.commits.stats.batches <= 3, `${s.commits.stats.batches} batches: records are group-committed`);
    assert.deepEqual(await storedEntries(s.db), entries);
    const envelopes = await auditEnvelopes(s.outbox);
    assert.deepEqual(
      envelopes.map((e) => [e.type, e.data]),
      entries.map((e) => ["audit.entry", e]),
    );
    assert.deepEqual(await s.audit.verify(), { ok: true, checked: 120, lastSeq: 120 });
    assert.deepEqual(s.audit.head, { seq: 120, mac: entries[119]!.mac });
  });

  void it("continues the chain after close and reopen", async () => {
    const dir = freshDir();
    const s = await openStack(dir);
    for (let i = 0; i < 5; i++) await s.audit.record(input(i));
    const head = s.audit.head;
    await s.close();
    const again = await openStack(dir);
    try {
      assert.deepEqual(again.audit.head, head);
      const next = await again.audit.record(input(5));
      assert.equal(next.seq, 6);
      assert.equal(next.prev_mac, head.mac);
      assert.deepEqual(await again.audit.verify(), { ok: true, checked: 6, lastSeq: 6 });
    } finally {
      await again.close();
    }
  });

  void it("a failed batch takes its seqs and links back: the chain goes on from the last durable entry", async (t) => {
    const s = await openStack(freshDir());
    t.after(() => s.close());
    await s.audit.record(input(0));
    const level = s.db.level as unknown as { batch: (...args: unknown[]) => Promise<void> };
    const batch = level.batch;
    level.batch = () => Promise.reject(new Error("disk full"));
    const failed = await Promise.allSettled([s.audit.record(input(1)), s.audit.record(input(2))]);
    level.batch = batch;
    assert.deepEqual(
      failed.map((r) => r.status),
      ["rejected", "rejected"],
    );
    assert.equal(s.audit.head.seq, 1);
    const next = await s.audit.record(input(3));
    assert.equal(next.seq, 2);
    assert.deepEqual(await s.audit.verify(), { ok: true, checked: 2, lastSeq: 2 });
    assert.deepEqual(
      (await auditEnvelopes(s.outbox)).map((e) => e.seq),
      [1, 2],
    );
  });

  void it("refuses bad input with VALIDATION and writes nothing", async (t) => {
    const s = await openStack(freshDir());
    t.after(() => s.close());
    const bad: unknown[] = [
      { ...input(0), actor: "" },
      { ...input(0), result: "maybe" },
      { ...input(0), details: [1, 2] },
      { ...input(0), details: { n: NaN } },
      { ...input(0), source: 42 },
    ];
    for (const b of bad)
      await assert.rejects(s.audit.record(b as AuditInput), (err) => isVigilError(err, ErrorCodes.VALIDATION));
    await assert.rejects(s.audit.record(input(0, { details: { blob: "x".repeat(70_000) } })), (err) =>
      isVigilError(err, ErrorCodes.PAYLOAD_TOO_LARGE),
    );
    assert.equal((await s.audit.record(input(1))).seq, 1);
    assert.equal(await s.outbox.depth("audit"), 1);
  });

  void it("anonymises sources only when configured", async () => {
    const plain = await openStack(freshDir());
    const anon = await openStack(freshDir(), { anonymiseSources: true });
    try {
      for (const s of [plain, anon]) {
        await s.audit.record(input(0, { source: "192.168.4.21" }));
        await s.audit.record(input(1, { source: "2001:db8:1:2:3:4:5:6" }));
        await s.audit.record(input(2, { source: "unix" }));
      }
      assert.deepEqual(
        (await storedEntries(plain.db)).map((e) => e.source),
        ["192.168.4.21", "2001:db8:1:2:3:4:5:6", "unix"],
      );
      assert.deepEqual(
        (await storedEntries(anon.db)).map((e) => e.source),
        ["192.168.4.0", "2001:db8:1::", "unix"],
      );
      assert.equal((await anon.audit.verify()).ok, true);
    } finally {
      await plain.close();
      await anon.close();
    }
  });

  void it("refuses records before start and after stop", async () => {
    const s = await openStack(freshDir());
    const unstarted = new AuditLog(s.db, s.outbox, KEY, IDENTITY, { anonymiseSources: false }, log);
    await assert.rejects(unstarted.record(input(0)), (err) => isVigilError(err, ErrorCodes.SHUTTING_DOWN));
    await s.audit.stop();
    await assert.rejects(s.audit.record(input(0)), (err) => isVigilError(err, ErrorCodes.SHUTTING_DOWN));
    await s.close();
  });
});

void describe("tamper detection on disk", () => {
  let root: string;
  let n = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-audit-tamper-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function chainOf(count: number): Promise<Stack> {
    const s = await openStack(join(root, `case-${n++}`));
    await Promise.all(Array.from({ length: count }, (_, i) => s.audit.record(input(i))));
    return s;
  }

  void it("an edited entry's details: mac_mismatch at its seq", async (t) => {
    const s = await chainOf(10);
    t.after(() => s.close());
    const sub = s.db.sublevels.audit;
    const entry = (await sub.get(auditKey(4))) as AuditEntry;
    await sub.put(auditKey(4), { ...entry, details: { i: 999 } });
    assert.deepEqual(await s.audit.verify(), {
      ok: false,
      checked: 3,
      lastSeq: 3,
      firstBad: { seq: 4, reason: "mac_mismatch" },
    });
  });

  void it("a deleted entry: gap at its seq", async (t) => {
    const s = await chainOf(10);
    t.after(() => s.close());
    await s.db.sublevels.audit.del(auditKey(7));
    assert.deepEqual((await s.audit.verify()).firstBad, { seq: 7, reason: "gap" });
  });

  void it("two swapped entries: reported at the first of them", async (t) => {
    const s = await chainOf(10);
    t.after(() => s.close());
    const sub = s.db.sublevels.audit;
    const [a, b] = [await sub.get(auditKey(3)), await sub.get(auditKey(8))];
    await sub.batch([
      { type: "put", key: auditKey(3), value: b },
      { type: "put", key: auditKey(8), value: a },
    ]);
    assert.deepEqual((await s.audit.verify()).firstBad, { seq: 3, reason: "out_of_order" });
  });

  void it("a moved head entry is not overwritten by the next record after a restart", async () => {
    const dir = join(root, `case-${n++}`);
    const s = await openStack(dir);
    for (let i = 0; i < 3; i++) await s.audit.record(input(i));
    const sub = s.db.sublevels.audit;
    const third = await sub.get(auditKey(3));
    await sub.put(auditKey(3), await sub.get(auditKey(2)));
    await s.close();
    const again = await openStack(dir);
    try {
      assert.equal((await again.audit.record(input(3))).seq, 4);
      assert.notDeepEqual(await again.db.sublevels.audit.get(auditKey(3)), third);
      assert.deepEqual((await again.audit.verify()).firstBad, { seq: 3, reason: "out_of_order" });
    } finally {
      await again.close();
    }
  });
});

void describe("AuditLog.list", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-audit-list-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("pages in seq order with filters applied while walking, at most 1000 per page", async (t) => {
    let clock = Date.parse("2024-05-01T00:00:00Z");
    const s = await openStack(join(root, "list"), { anonymiseSources: false }, () => new Date((clock += 1000)));
    t.after(() => s.close());
    const all = await Promise.all(Array.from({ length: 1005 }, (_, i) => s.audit.record(input(i))));
    assert.equal((await s.audit.list()).length, 100);
    const capped = await s.audit.list({ limit: 5000 });
    assert.equal(capped.length, 1000);
    assert.deepEqual(capped, all.slice(0, 1000));
    assert.deepEqual(await s.audit.list({ afterSeq: 1000, limit: 1000 }), all.slice(1000));
    const pages: number[] = [];
    for (let afterSeq = 0; ;) {
      const page = await s.audit.list({ afterSeq, limit: 7, action: "auth.login", actor: "user0" });
      if (page.length === 0) break;
      pages.push(...page.map((e) => e.seq));
      afterSeq = page.at(-1)!.seq;
    }
    assert.deepEqual(
      pages,
      all.filter((e) => e.action === "auth.login" && e.actor === "user0").map((e) => e.seq),
    );
    const window = await s.audit.list({ since: all[9]!.ts, until: new Date(Date.parse(all[19]!.ts)), limit: 1000 });
    assert.deepEqual(
      window.map((e) => e.seq),
      Array.from({ length: 11 }, (_, i) => i + 10),
    );
    for (const bad of [{ limit: 0 }, { afterSeq: -1 }, { since: "yesterday-ish" }]) {
      await assert.rejects(s.audit.list(bad), (err) => isVigilError(err, ErrorCodes.VALIDATION));
    }
  });
});

void describe("signed checkpoints", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-audit-ckpt-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("a checkpoint verifies with its public JWK and fails with another key or a changed payload", async () => {
    const pem = generateCheckpointKeyPem();
    const jwk = checkpointPublicJwk(pem);
    assert.equal(jwk.kty, "OKP");
    assert.equal(jwk.crv, "Ed25519");
    assert.equal(jwk.alg, "EdDSA");
    assert.equal(jwk.d, undefined, "no private part");
    const claims = { site: "hq", gateway: "gw-01", seq: 42, mac: "ab".repeat(32), ts: "2024-05-01T00:00:00.000Z" };
    const jws = await signCheckpoint(pem, claims);
    assert.deepEqual(await verifyCheckpoint(jws, jwk), claims);
    const other = checkpointPublicJwk(generateCheckpointKeyPem());
    await assert.rejects(verifyCheckpoint(jws, other), (err) => isVigilError(err, ErrorCodes.CHECKPOINT_INVALID));
    const [h, , sig] = jws.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, seq: 41 })).toString("base64url")}.${sig}`;
    await assert.rejects(verifyCheckpoint(forged, jwk), (err) => isVigilError(err, ErrorCodes.CHECKPOINT_INVALID));
    // alg pinned: an HS256 token keyed with the public x value is refused.
    const hs = `${Buffer.from(JSON.stringify({ alg: "HS256", typ: "vigil-audit-checkpoint" })).toString("base64url")}.${jws.split(".")[1]}.AAAA`;
    await assert.rejects(verifyCheckpoint(hs, jwk), (err) => isVigilError(err, ErrorCodes.CHECKPOINT_INVALID));
    assert.throws(
      () => checkpointPublicJwk("not a pem"),
      (err) => isVigilError(err, ErrorCodes.SECRET_WEAK),
    );
  });

  void it("CheckpointPublisher appends audit.checkpoint only when the head moved (or when forced), on a timer too", async (t) => {
    const s = await openStack(join(root, "pub"));
    t.after(() => s.close());
    const pem = generateCheckpointKeyPem();
    const jwk = checkpointPublicJwk(pem);
    const publisher = new CheckpointPublisher(s.audit, s.outbox, pem, 60_000, IDENTITY, log);
    await publisher.start();
    t.after(() => publisher.stop());
    const checkpoints = async (): Promise<CheckpointData[]> =>
      (await auditEnvelopes(s.outbox))
        .filter((e) => e.type === "audit.checkpoint")
        .map((e) => e.data as CheckpointData);

    assert.equal(await publisher.publishNow(), undefined, "empty chain: nothing to pin");
    await s.audit.record(input(0));
    await s.audit.record(input(1));
    const first = await publisher.publishNow();
    assert.ok(first);
    assert.deepEqual({ seq: first.seq, mac: first.mac }, s.audit.head);
    assert.deepEqual(await verifyCheckpoint(first.jws, jwk), {
      site: "hq",
      gateway: "gw-01",
      seq: 2,
      mac: first.mac,
      ts: first.ts,
      chain: first.chain,
    });
    assert.match(first.chain ?? "", /^[0-9a-f]{64}$/, "the public chain head is signed too");
    assert.equal(await publisher.publishNow(), undefined, "head did not move");
    const [a, b] = await Promise.all([publisher.publishNow({ force: true }), publisher.publishNow()]);
    assert.equal(a?.seq, 2);
    assert.equal(b, undefined, "concurrent triggers do not sign the same head twice");
    await s.audit.record(input(2));
    assert.equal((await publisher.publishNow())?.seq, 3);
    assert.deepEqual(
      (await checkpoints()).map((c) => c.seq),
      [2, 2, 3],
    );

    // The timer: publishes once the head moves, stops with stop().
    const timed = new CheckpointPublisher(s.audit, s.outbox, pem, 20, IDENTITY, log);
    await timed.start();
    await s.audit.record(input(3));
    for (let i = 0; i < 100 && !(await checkpoints()).some((c) => c.seq === 4); i++)
      await new Promise((r) => setTimeout(r, 10));
    await timed.stop();
    const count = (await checkpoints()).length;
    assert.ok((await checkpoints()).some((c) => c.seq === 4));
    await s.audit.record(input(4));
    await new Promise((r) => setTimeout(r, 80));
    assert.equal((await checkpoints()).length, count, "no checkpoint after stop");
  });
});

void describe("durability across kill -9", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-audit-kill9-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("every record that resolved before SIGKILL is on disk, the chain verifies, and it goes on", async () => {
    const dataDir = join(root, "data");
    const printed = (await killAfterLines(DURABLE_WRITER, ["audit", dataDir, SECRET], 400)).map(
      (line) => line.split(" ") as [string, string],
    );

    const s = await openStack(dataDir);
    try {
      const result = await s.audit.verify();
      assert.equal(result.ok, true, JSON.stringify(result));
      const stored = new Map((await storedEntries(s.db)).map((e) => [e.seq, e.mac]));
      for (const [seq, mac] of printed)
        assert.equal(stored.get(Number(seq)), mac, `acknowledged audit entry ${seq} lost`);
      const envelopes = await auditEnvelopes(s.outbox);
      assert.equal(envelopes.length, stored.size, "one audit.entry envelope per entry, no more, no less");
      const next = await s.audit.record(input(0));
      assert.equal(next.seq, result.lastSeq + 1);
      assert.equal((await s.audit.verify()).ok, true);
    } finally {
      await s.close();
    }
  });
});

void describe("vigil audit verify / pubkey", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-audit-cli-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function runVerb(
    verb: "auditVerify" | "auditPubkey",
    configPath: string,
    json: boolean,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const cli = new URL("../../src/cli/audit.js", import.meta.url).href;
    const code = `import { ${verb} } from ${JSON.stringify(cli)}; await ${verb}({ config: ${JSON.stringify(configPath)}, json: ${json} });`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CREDENTIALS_DIRECTORY: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    return new Promise((resolve) => child.on("close", (c) => resolve({ code: c, stdout, stderr })));
  }

  void it("exits 0 on an intact chain, 1 naming the first bad seq, and says to stop a running daemon", async () => {
    const dir = join(root, "box");
    await mkdir(join(dir, "secrets"), { recursive: true });
    for (const name of REQUIRED_SECRETS)
      await writeFile(join(dir, "secrets", name), `${randomBytes(32).toString("base64url")}\n`);
    await writeFile(join(dir, "secrets", "audit_hmac_key"), `${SECRET}\n`);
    const pem = generateCheckpointKeyPem();
    await writeFile(join(dir, "secrets", "audit_checkpoint_key"), pem);
    const configPath = join(dir, "vigil.yaml");
    await writeFile(configPath, "site: hq\ngateway: gw-01\ndata_dir: data\nsecrets_dir: secrets\n");

    const s = await openStack(join(dir, "data"));
    await Promise.all(Array.from({ length: 30 }, (_, i) => s.audit.record(input(i))));
    const locked = await runVerb("auditVerify", configPath, false);
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /VIGIL_E_STORE_LOCKED: .*stop it/);
    await s.close();

    const ok = await runVerb("auditVerify", configPath, false);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "ok: 30 entries, head seq 30\n");
    const okJson = await runVerb("auditVerify", configPath, true);
    assert.deepEqual(JSON.parse(okJson.stdout), { ok: true, checked: 30, lastSeq: 30 });

    const again = await openStack(join(dir, "data"));
    const entry = (await again.db.sublevels.audit.get(auditKey(12))) as AuditEntry;
    await again.db.sublevels.audit.put(auditKey(12), { ...entry, result: "denied" });
    await again.close();
    const broken = await runVerb("auditVerify", configPath, true);
    assert.equal(broken.code, 1);
    assert.deepEqual(JSON.parse(broken.stdout), {
      ok: false,
      checked: 11,
      lastSeq: 11,
      firstBad: { seq: 12, reason: "mac_mismatch" },
    });
    const brokenText = await runVerb("auditVerify", configPath, false);
    assert.equal(brokenText.code, 1);
    assert.match(brokenText.stdout, /broken at seq 12: mac_mismatch/);

    const pub = await runVerb("auditPubkey", configPath, true);
    assert.equal(pub.code, 0, pub.stderr);
    assert.deepEqual(JSON.parse(pub.stdout), checkpointPublicJwk(pem));
  });
});
