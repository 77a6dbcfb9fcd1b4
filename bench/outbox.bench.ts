/**
 * Durable outbox appends per second on this disk: group commit (concurrent writers share one
 * fsynced batch) against the baseline of one fsynced batch per message, in the same run.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createLogger } from "../src/core/logger.js";
import { Database } from "../src/store/database.js";
import { GroupCommit } from "../src/store/group-commit.js";
import { Outbox } from "../src/store/outbox.js";
import { fmt, median } from "./stats.js";

const N = Number(process.env.BENCH_MESSAGES ?? 2000);
const ROUNDS = 3;
const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const payload = {
  summary: "Face seen on camera lobby for 3 consecutive frames",
  objects: [{ label: "face", score: 0.93, box: { x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 } }],
};

async function round(concurrency: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-bench-"));
  const db = new Database(dir, log);
  const commits = new GroupCommit(db);
  const outbox = new Outbox(db, commits, { site: "bench", gateway: "gw" });
  await db.start();
  await outbox.start();
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < N) {
      next += 1;
      await outbox.append("incidents", "incident.created", payload);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  await db.stop();
  await rm(dir, { recursive: true, force: true });
  return N / seconds;
}

console.log(`outbox bench: ${N} appends per round, ${ROUNDS} rounds, median msg/s (fsync on every batch)`);
const baselineRounds: number[] = [];
for (let i = 0; i < ROUNDS; i++) baselineRounds.push(await round(1));
const baseline = median(baselineRounds);
console.log(`1 writer (one fsync per message, baseline): ${fmt(baseline, 0)} msg/s`);
for (const c of [8, 64]) {
  const r: number[] = [];
  for (let i = 0; i < ROUNDS; i++) r.push(await round(c));
  const m = median(r);
  console.log(`${c} writers (group commit):                ${fmt(m, 0)} msg/s  (${fmt(m / baseline)}x baseline)`);
}
