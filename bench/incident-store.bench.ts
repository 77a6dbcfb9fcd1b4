// The incident store at a year of a busy site (issue 19): 1,000,000 incidents over 365 days on
// 16 cameras, on a real LevelDB. Building the indexes of such a store (the migration), the first
// page, filtered pages, one incident, the old full-scan listing for comparison, and the cost of
// an fsynced incident write with its index entries against the same write without them, in the
// same run. `npm run build && node dist/bench/incident-store.bench.js [count]`
// (figures in docs/performance.md).
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Incident, IncidentStatus } from "../src/contract/incident.js";
import { IncidentIndex } from "../src/incidents/incident-index.js";
import { matchesIncident, sortKey } from "../src/incidents/incident-index-keys.js";
import { Database } from "../src/store/database.js";
import type { WriteOp } from "../src/store/group-commit.js";
import { silentLogger } from "../test/helpers/uplink-stack.js";
import { fmt, median, percentile } from "./stats.js";

const COUNT = Number(process.argv[2] ?? 1_000_000);
const YEAR = 365 * 86_400_000;
const T_END = Date.parse("2026-12-01T00:00:00Z");
const STATUSES: IncidentStatus[] = ["closed", "closed", "dismissed", "dismissed", "dismissed", "closed", "monitoring", "open", "escalated", "dispatch_pending_review"];

function incident(n: number): Incident {
  // Spread evenly over the year, newest last; ids unrelated to time, like UUIDs.
  const at = new Date(T_END - YEAR + Math.floor((n * YEAR) / COUNT)).toISOString();
  const id = `${((n * 2654435761) % 4294967296).toString(16).padStart(8, "0")}-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const status: IncidentStatus = n > COUNT - 200 ? "open" : (STATUSES[n % STATUSES.length] ?? "closed");
  return {
    id,
    version: 3,
    camera_id: `cam-${n % 16}`,
    rule: ["door-watch", "loitering", "no-parking", "tamper", "face_present", "watchlist_face"][n % 6] ?? "tamper",
    zone: n % 7 === 0 ? null : `zone-${n % 8}`,
    status,
    confidence: 0.82,
    objects: [{ label: "person", score: 0.82, box: { x1: 0.31, y1: 0.42, x2: 0.38, y2: 0.77 }, track_id: n % 1000 }],
    started_at: at,
    last_seen_at: at,
    ended_at: at,
    summary: `person in zone-${n % 8} on cam-${n % 16}`,
    next_step: "monitor",
    history: [{ at, actor: "system", action: "created", before: null, after: "open" }],
  };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const out = await work();
  return [out, Number(process.hrtime.bigint() - t) / 1e6];
}

async function samples(n: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await timed(() => work(i)))[1]);
  return out;
}

const line = (name: string, ms: number[]): void => console.log(`${name}: median ${fmt(median(ms))} ms, p90 ${fmt(percentile(ms, 90))} ms (n=${ms.length})`);

const dir = await mkdtemp(join(tmpdir(), "vigil-incident-bench-"));
const db = new Database(dir, silentLogger());
try {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, node ${process.version}, ${new Date().toISOString()}`);
  await db.start();
  const { incidents } = db.sublevels;
  const [, seedMs] = await timed(async () => {
    for (let from = 0; from < COUNT; from += 5000) {
      const ops = [];
      for (let n = from; n < Math.min(COUNT, from + 5000); n++) ops.push({ type: "put" as const, sublevel: incidents, key: incident(n).id, value: incident(n) });
      await db.level.batch(ops);
    }
  });
  console.log(`seeded ${COUNT} incidents without indexes (as an older store): ${fmt(seedMs / 1000, 1)} s`);

  const index = new IncidentIndex(db, silentLogger(), { chunk: 2000 });
  const [, migrateMs] = await timed(() => index.ready());
  console.log(`migration (index build at start): ${fmt(migrateMs / 1000, 1)} s, ${fmt(COUNT / (migrateMs / 1000), 0)} incidents/s`);

  const [scanned, scanMs] = await timed(async () => {
    const page: Incident[] = [];
    for await (const v of incidents.values()) if (matchesIncident(v as Incident, { camera: "cam-3", status: "open" })) page.push(v as Incident);
    return page.sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1)).slice(0, 50);
  });
  console.log(`full scan, filtered page (the listing before the indexes), once: ${fmt(scanMs)} ms`);

  line("first page, limit 50", await samples(30, () => index.list({ limit: 50 })));
  const cursor = (await index.list({ limit: 50 })).next_cursor ?? undefined;
  line("second page, limit 50 (cursor)", await samples(30, () => index.list({ limit: 50, cursor })));
  const filtered = await index.list({ camera: "cam-3", status: "open", limit: 50 });
  if (filtered.incidents.map((i) => i.id).join() !== scanned.map((i) => i.id).join()) throw new Error("indexed page differs from the scan");
  line("filtered page camera+status=open, limit 50", await samples(30, () => index.list({ camera: "cam-3", status: "open", limit: 50 })));
  line("filtered page camera+rule (1 in 3 of the camera's incidents), limit 50", await samples(30, () => index.list({ camera: "cam-5", rule: "loitering", limit: 50 })));
  line("filtered page status=dismissed+rule, 30-day window a half-year back, limit 50", await samples(30, () => index.list({ status: "dismissed", rule: "tamper", since: T_END - 200 * 86_400_000, until: T_END - 170 * 86_400_000, limit: 50 })));
  // The worst case: two filters that never hold together walk the whole smaller index (1/16 of all).
  line("filter matching nothing (camera+rule never together)", await samples(30, () => index.list({ camera: "cam-1", rule: "door-watch", limit: 50 })));
  const ids = Array.from({ length: 200 }, (_, i) => incident((i * 4999) % COUNT).id);
  line("one incident by id", await samples(200, (i) => incidents.get(ids[i] ?? "")));

  // Write cost: one fsynced batch per incident, with and without its index entries, interleaved.
  const withIdx: number[] = [];
  const without: number[] = [];
  for (let r = 0; r < 400; r++) {
    const a = incident(COUNT + 2 * r);
    const b = incident(COUNT + 2 * r + 1);
    without.push((await timed(() => db.level.batch([{ type: "put", sublevel: incidents, key: a.id, value: a }], { sync: true })))[1]);
    const prepared = index.prepare(undefined, b);
    const ops: WriteOp[] = [{ type: "put", sublevel: incidents, key: b.id, value: b }, ...prepared.ops];
    withIdx.push((await timed(() => db.level.batch(ops, { sync: true })))[1]);
  }
  line("fsynced incident write without index entries", without);
  line("fsynced incident write with index entries (5-6 entries + counts)", withIdx);
  console.log(`write cost ratio with/without (medians): ${fmt(median(withIdx) / median(without))}`);
  console.log(`load average at the end: ${loadavg().map((l) => fmt(l, 1)).join(" ")}`);
  console.log(`rss after: ${fmt(process.memoryUsage().rss / 2 ** 20, 0)} MiB`);
} finally {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
}
