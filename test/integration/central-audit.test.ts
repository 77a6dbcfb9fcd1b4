// Publicly verifiable audit: the daemon's own audit log and checkpoint publisher on a real
// LevelDB write the stream; a verifier holding only the gateway's public key accepts it as is and
// catches an altered, missing, reordered or inserted entry, a forged checkpoint, and still reads
// checkpoints signed before the public chain existed.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AuditLog } from "../../src/audit/audit-log.js";
import { auditKeyFromSecret } from "../../src/audit/chain.js";
import {
  checkpointPublicJwk,
  CheckpointPublisher,
  generateCheckpointKeyPem,
  signCheckpoint,
} from "../../src/audit/checkpoint.js";
import { verifyAuditStream } from "../../src/central/audit-verifier.js";
import type { AuditEntry } from "../../src/contract/audit.js";
import type { Envelope } from "../../src/contract/envelope.js";
import { openStoreStack, TEST_IDENTITY } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const KEY = auditKeyFromSecret("central-audit-test-key-5b1c0e9f8a7d6c5b4a39281706f5e4d3");
const PEM = generateCheckpointKeyPem();
const JWK = checkpointPublicJwk(PEM);
const log = silentLogger();

let root: string;
let stream: Envelope[];

before(async () => {
  root = await mkdtemp(join(tmpdir(), "vigil-central-audit-"));
  const store = await openStoreStack(join(root, "gw"));
  const audit = new AuditLog(store.db, store.outbox, KEY, TEST_IDENTITY, { anonymiseSources: false }, log);
  await audit.start();
  const checkpoints = new CheckpointPublisher(audit, store.outbox, PEM, 60_000, TEST_IDENTITY, log);
  await checkpoints.start();
  for (let i = 1; i <= 30; i++) {
    await audit.record({
      actor: `user${i % 3}`,
      action: "incident.decision",
      target: `incident:${i}`,
      result: "ok",
      details: { i },
    });
    if (i % 10 === 0) await checkpoints.publishNow();
  }
  await checkpoints.stop();
  stream = (await store.outbox.read("audit", 0, 1000)).map((e) => e.envelope);
  await audit.stop();
  await store.close();
});
after(() => rm(root, { recursive: true, force: true }));

const entryIndex = (s: Envelope[], seq: number): number =>
  s.findIndex((e) => e.type === "audit.entry" && (e.data as AuditEntry).seq === seq);
const verify = (s: Envelope[]) => verifyAuditStream(s, JWK, TEST_IDENTITY);

void describe("audit verification with only the public key", () => {
  void it("accepts the stream as the gateway wrote it, every entry covered by a checkpoint", async () => {
    assert.equal(stream.filter((e) => e.type === "audit.checkpoint").length, 3);
    const r = await verify(stream);
    assert.deepEqual(r, {
      ok: true,
      entries: 30,
      verifiedThrough: 30,
      checkpoints: 3,
      legacyCheckpoints: 0,
      pending: 0,
      problems: [],
    });
  });

  void it("catches an altered entry (even one re-linked by someone without the HMAC key) at the next checkpoint", async () => {
    const s = structuredClone(stream);
    const i = entryIndex(s, 12);
    const entry = s[i]?.data as { details: { i: number } };
    entry.details.i = 999;
    const r = await verify(s);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.seq]),
      [
        ["chain_mismatch", 20],
        ["chain_mismatch", 30],
      ],
    );
    assert.equal(r.verifiedThrough, 10);
  });

  void it("catches a missing entry", async () => {
    const s = structuredClone(stream);
    s.splice(entryIndex(s, 5), 1);
    const r = await verify(s);
    assert.equal(r.ok, false);
    assert.equal(r.problems[0]?.kind, "missing");
    assert.equal(r.problems[0]?.seq, 5);
  });

  void it("catches reordered entries", async () => {
    const s = structuredClone(stream);
    const a = entryIndex(s, 7);
    const b = entryIndex(s, 8);
    [s[a], s[b]] = [s[b] as Envelope, s[a] as Envelope];
    const r = await verify(s);
    assert.equal(r.ok, false);
    assert.ok(r.problems.some((p) => p.kind === "missing" || p.kind === "out_of_order"));
  });

  void it("catches an inserted, forged entry that copies the links around it", async () => {
    const s = structuredClone(stream);
    const i = entryIndex(s, 25);
    const forged = { ...(s[i]?.data as AuditEntry), action: "user.delete", target: "user:auditor" };
    s[i] = { ...(s[i] as Envelope), data: forged };
    const r = await verify(s);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.seq]),
      [["chain_mismatch", 30]],
    );
  });

  void it("refuses a checkpoint signed with another key, or for another gateway", async () => {
    const other = generateCheckpointKeyPem();
    const s = structuredClone(stream);
    const last = s.findLastIndex((e) => e.type === "audit.checkpoint");
    const data = s[last]?.data as { seq: number; mac: string; ts: string; chain: string };
    s[last] = {
      ...(s[last] as Envelope),
      data: { ...data, jws: await signCheckpoint(other, { ...TEST_IDENTITY, ...data }) },
    };
    const forgedKey = await verify(s);
    assert.deepEqual(
      forgedKey.problems.map((p) => p.kind),
      ["bad_signature"],
    );
    assert.equal(forgedKey.pending, 10, "entries after the last good checkpoint are not vouched for");
    s[last] = {
      ...s[last],
      data: { ...data, jws: await signCheckpoint(PEM, { site: "hq", gateway: "gw-02", ...data }) },
    };
    assert.deepEqual(
      (await verify(s)).problems.map((p) => p.kind),
      ["wrong_gateway"],
    );
  });

  void it("still reads checkpoints signed before the public chain existed (they pin seq and mac only)", async () => {
    const s = structuredClone(stream).map((e) => e);
    for (const [i, e] of s.entries()) {
      if (e.type !== "audit.checkpoint") continue;
      const { seq, mac, ts } = e.data as { seq: number; mac: string; ts: string };
      s[i] = { ...e, data: { seq, mac, ts, jws: await signCheckpoint(PEM, { ...TEST_IDENTITY, seq, mac, ts }) } };
    }
    const r = await verify(s);
    assert.equal(r.ok, true);
    assert.equal(r.legacyCheckpoints, 3);
    assert.equal(r.verifiedThrough, 0);
    assert.equal(r.pending, 30);
  });
});
