// The durable outbox on a real LevelDB: sequence numbers, paging, acknowledgement, restarts, the
// atomic domain write, group commit, the store lock, and survival of a kill -9.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { Envelope, StreamName } from "../../src/contract/envelope.js";
import { STREAMS } from "../../src/contract/envelope.js";
import { ErrorCodes, isVigilError } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";
import type { Outbox } from "../../src/store/outbox.js";
import { outboxKey } from "../../src/store/keys.js";
import { openStoreStack, type StoreStack } from "../helpers/store-stack.js";
import { DURABLE_WRITER, killAfterLines } from "../helpers/kill9.js";

const log = createLogger({
  level: "debug",
  destination: new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  }),
});

type Stack = StoreStack;
const openStack = (dataDir: string): Promise<Stack> => openStoreStack(dataDir, { log });

async function readAll(outbox: Outbox, stream: StreamName): Promise<Envelope[]> {
  return (await outbox.read(stream, 0, 1_000_000)).map((e) => e.envelope);
}

void describe("Database, GroupCommit and Outbox on disk", () => {
  let root: string;
  let n = 0;
  const freshDir = (): string => join(root, `case-${n++}`);
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-store-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("a refused write fails alone and leaves no gap in the stream's seq", async (t) => {
    const s = await openStack(freshDir());
    t.after(() => s.close());
    const incidents = s.db.sublevels.incidents;
    const [a, bad, c] = await Promise.allSettled([
      s.outbox.append("incidents", "test.item", { i: 0 }),
      s.outbox.append("incidents", "test.item", { i: 1 }, [
        { type: "put", sublevel: incidents, key: "x", value: undefined },
      ]),
      s.outbox.append("incidents", "test.item", { i: 2 }),
    ]);
    assert.equal(a.status, "fulfilled");
    assert.equal(bad.status, "rejected");
    assert.equal(c.status, "fulfilled");
    const d = await s.outbox.append("incidents", "test.item", { i: 3 });
    assert.deepEqual(
      (await readAll(s.outbox, "incidents")).map((e) => [e.seq, (e.data as { i: number }).i]),
      [
        [1, 0],
        [2, 2],
        [3, 3],
      ],
    );
    assert.equal(d.seq, 3);
    assert.equal(await incidents.get("x"), undefined);
  });

  void it("concurrent appends get gap-free seqs 1..n per stream, in call order, and read back identically", async (t) => {
    const s = await openStack(freshDir());
    t.after(() => s.close());
    const order: StreamName[] = Array.from({ length: 150 }, (_, i) => STREAMS[(i * 7) % STREAMS.length]!);
    const results = await Promise.all(order.map((stream, i) => s.outbox.append(stream, "test.item", { i })));
    for (const stream of STREAMS) {
      const mine = results.filter((e) => e.stream === stream);
      assert.deepEqual(
        mine.map((e) => e.seq),
        mine.map((_, i) => i + 1),
      );
      // Call order is seq order.
      assert.deepEqual(
        mine.map((e) => e.data.i),
        order.flatMap((st, i) => (st === stream ? [i] : [])),
      );
      assert.deepEqual(await readAll(s.outbox, stream), mine);
      assert.equal(await s.outbox.depth(stream), mine.length);
    }
    assert.equal(new Set(results.map((e) => e.id)).size, results.length);
  });

  void it("read(stream, afterSeq, limit) pages through a stream in order without mixing streams", async (t) => {
    const s = await openStack(freshDir());
    t.after(() => s.close());
    for (let i = 0; i < 23; i++) await s.outbox.append("audit", "a", { i });
    await s.outbox.append("alerts", "b", {});
    await s.outbox.append("incidents", "c", {});
    const seen: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 10; pages++) {
      const page = await s.outbox.read("audit", after, 5);
      assert.ok(page.length <= 5);
      if (page.length === 0) break;
      for (const entry of page) {
        assert.equal(entry.envelope.stream, "audit");
        assert.equal(entry.key, outboxKey("audit", entry.envelope.seq));
      }
      seen.push(...page.map((e) => e.envelope.seq));
      after = page.at(-1)!.envelope.seq;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 23 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      (await s.outbox.read("audit", 20, 100)).map((e) => e.envelope.seq),
      [21, 22, 23],
    );
    // Keys sort numerically, not lexically (seq 10 after seq 9).
    assert.deepEqual(
      (await s.outbox.read("audit", 8, 3)).map((e) => e.envelope.seq),
      [9, 10, 11],
    );
    assert.deepEqual(await s.outbox.read("audit", 23, 10), []);
  });

  void it("acknowledge deletes the entry, is idempotent, and seqs continue after a restart with an empty outbox", async () => {
    const dir = freshDir();
    const s = await openStack(dir);
    for (let i = 0; i < 5; i++) await s.outbox.append("incidents", "x", { i });
    const [first] = await s.outbox.read("incidents", 0, 1);
    assert.ok(first);
    await s.outbox.acknowledge(first.key);
    await s.outbox.acknowledge(first.key);
    await s.outbox.acknowledge(outboxKey("incidents", 999));
    assert.deepEqual(
      (await readAll(s.outbox, "incidents")).map((e) => e.seq),
      [2, 3, 4, 5],
    );
    for (const entry of await s.outbox.read("incidents", 0, 100)) await s.outbox.acknowledge(entry.key);
    assert.equal(await s.outbox.depth("incidents"), 0);
    await s.outbox.append("alerts", "y", {});
    await s.close();

    const again = await openStack(dir);
    try {
      assert.equal(await again.outbox.depth("incidents"), 0);
      const next = await again.outbox.append("incidents", "x", {});
      assert.equal(next.seq, 6, "a seq is never reused, even after the outbox emptied");
      assert.equal((await again.outbox.append("alerts", "y", {})).seq, 2);
      assert.equal((await again.outbox.append("audit", "z", {})).seq, 1);
    } finally {
      await again.close();
    }
  });

  void it("unacknowledged envelopes survive close and reopen unchanged", async () => {
    const dir = freshDir();
    const s = await openStack(dir);
    const sent = await Promise.all([
      s.outbox.append("incidents", "i", { a: 1 }),
      s.outbox.append("audit", "a", { b: [1, 2] }),
    ]);
    await s.close();
    const again = await openStack(dir);
    try {
      assert.deepEqual(await readAll(again.outbox, "incidents"), [sent[0]]);
      assert.deepEqual(await readAll(again.outbox, "audit"), [sent[1]]);
    } finally {
      await again.close();
    }
  });

  void it("the alongside write lands in the same batch as the envelope, and a failing batch writes neither", async () => {
    const dir = freshDir();
    const s = await openStack(dir);
    const incidents = s.db.sublevels.incidents;
    const env = await s.outbox.append("incidents", "incident.started", { id: "inc-1" }, [
      { type: "put", sublevel: incidents, key: "inc-1", value: { camera: "door" } },
    ]);
    assert.deepEqual(await incidents.get("inc-1"), { camera: "door" });
    assert.equal(s.commits.stats.batches, 1, "domain record and envelope were one batch");

    // An op LevelDB refuses fails the whole batch: no envelope without its record, or vice versa.
    await assert.rejects(
      s.outbox.append("incidents", "incident.started", { id: "inc-2" }, [
        { type: "put", sublevel: incidents, key: "inc-2", value: { camera: "yard" } },
        { type: "put", sublevel: incidents, key: "inc-2b", value: undefined },
      ]),
    );
    assert.equal(await incidents.get("inc-2"), undefined);
    assert.deepEqual(await readAll(s.outbox, "incidents"), [env]);
    await s.close();

    const again = await openStack(dir);
    try {
      assert.deepEqual(await again.db.sublevels.incidents.get("inc-1"), { camera: "door" });
      assert.equal(await again.db.sublevels.incidents.get("inc-2"), undefined);
      assert.deepEqual(await readAll(again.outbox, "incidents"), [env]);
    } finally {
      await again.close();
    }
  });

  void it("group commit batches many concurrent commits into few fsynced batches", async (t) => {
    const s = await openStack(freshDir());
    t.after(() => s.close());
    const before = s.commits.stats;
    await Promise.all(Array.from({ length: 200 }, (_, i) => s.outbox.append(STREAMS[i % 3]!, "t", { i })));
    const stats = s.commits.stats;
    const commits = stats.commits - before.commits;
    const batches = stats.batches - before.batches;
    assert.equal(commits, 200);
    // Issued in one tick: "N concurrent writers cost about two fsyncs".
    assert.ok(batches >= 1 && batches <= 2, `${batches} batches for ${commits} commits`);
    // Commits issued while a batch is syncing join a later batch rather than being lost.
    const wave1 = Promise.all(Array.from({ length: 50 }, () => s.outbox.append("audit", "t", {})));
    await new Promise((r) => setImmediate(r));
    const wave2 = Promise.all(Array.from({ length: 50 }, () => s.outbox.append("audit", "t", {})));
    await Promise.all([wave1, wave2]);
    assert.equal(s.commits.stats.commits - before.commits, 300);
    assert.equal(await s.outbox.depth("audit"), Math.ceil(200 / 3) + 100);
    await s.commits.commit([]);
  });

  void it("the store refuses use before start and after stop with STORE_UNAVAILABLE", async () => {
    const db = new Database(freshDir(), log);
    assert.throws(
      () => db.sublevels,
      (err) => isVigilError(err, ErrorCodes.STORE_UNAVAILABLE),
    );
    assert.throws(
      () => db.level,
      (err) => isVigilError(err, ErrorCodes.STORE_UNAVAILABLE),
    );
    await db.start();
    const commits = new GroupCommit(db);
    const meta = db.sublevels.meta;
    await commits.commit([{ type: "put", sublevel: meta, key: "k", value: 1 }]);
    await db.stop();
    await db.stop();
    assert.equal(db.isOpen, false);
    await assert.rejects(commits.commit([{ type: "put", sublevel: meta, key: "k", value: 2 }]), (err) =>
      isVigilError(err, ErrorCodes.STORE_UNAVAILABLE),
    );
  });

  void it("a second Database on the same directory fails with STORE_LOCKED after its retries", async () => {
    const dir = freshDir();
    const first = new Database(dir, log);
    await first.start();
    try {
      const second = new Database(dir, log, { attempts: 3, delayMs: 20 });
      const t0 = performance.now();
      await assert.rejects(second.start(), (err) => isVigilError(err, ErrorCodes.STORE_LOCKED));
      assert.ok(performance.now() - t0 >= 35, "it retried (2 waits of 20 ms) before giving up");
      assert.equal(second.isOpen, false);
    } finally {
      await first.stop();
    }
  });

  void it("a Database waiting on the lock opens once the holder closes (fast restart)", async () => {
    const dir = freshDir();
    const first = await openStack(dir);
    await first.outbox.append("incidents", "x", {});
    const second = new Database(dir, log, { attempts: 50, delayMs: 20 });
    const opening = second.start();
    await new Promise((r) => setTimeout(r, 60));
    await first.close();
    await opening;
    try {
      assert.equal(second.isOpen, true);
      assert.equal(await second.sublevels.meta.get("seq!incidents"), 1);
    } finally {
      await second.stop();
    }
  });
});

void describe("durability across kill -9", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-kill9-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("every append that resolved before SIGKILL is on disk after reopening", async () => {
    const dataDir = join(root, "data");
    // Kill mid-stream: appends are in flight at this moment.
    const lines = await killAfterLines(DURABLE_WRITER, ["outbox", dataDir], 400);

    const printed = lines.map((line) => {
      const [stream, seq, id] = line.split(" ");
      return { stream: stream as StreamName, seq: Number(seq), id };
    });
    assert.ok(printed.length >= 400);

    const s = await openStack(dataDir);
    try {
      const stored = new Map<string, string>();
      for (const stream of STREAMS) {
        const envelopes = await readAll(s.outbox, stream);
        // What is on disk is a gap-free prefix 1..max of each stream.
        assert.deepEqual(
          envelopes.map((e) => e.seq),
          envelopes.map((_, i) => i + 1),
        );
        for (const e of envelopes) stored.set(`${e.stream} ${e.seq}`, e.id);
      }
      for (const p of printed)
        assert.equal(stored.get(`${p.stream} ${p.seq}`), p.id, `acknowledged ${p.stream} ${p.seq} lost`);
      // And the sequence continues after the highest stored seq.
      const maxIncident = Math.max(
        0,
        ...[...stored.keys()].filter((k) => k.startsWith("incidents ")).map((k) => Number(k.split(" ")[1])),
      );
      assert.equal((await s.outbox.append("incidents", "t", {})).seq, maxIncident + 1);
    } finally {
      await s.close();
    }
  });
});
