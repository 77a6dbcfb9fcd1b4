// The incident store at a year of a busy site (issue 19): 1,000,000 incidents over 365 days on
// 16 cameras, on a real LevelDB. Building the indexes and KPI day rollups of such a store (the
// migration), the first page, filtered pages, one incident, the KPI summary from the rollups, the
// old full-scan listing and summary for comparison, and the cost of an fsynced incident write with
// its index entries and day rollup against the same write alone and against main's (indexes and
// the weekly aggregate), in the same run. Then, in a child process each, the HTTP side on an empty
// store and on this one (bench/incident-store-probe.ts): requests against GET /v1/auth/me, and RSS.
// Then retention sweeps deleting 0, 1,000 and 10,000 incidents, through the end-time index and by
// the old full scan (bench/retention-sweep.ts; alone: `... [count] retention`).
// `npm run build && node dist/bench/incident-store.bench.js [count]` (figures in docs/performance.md).
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Incident, IncidentStatus } from "../src/contract/incident.js";
import { IncidentIndex } from "../src/incidents/incident-index.js";
import { kpiSummary } from "../src/incidents/kpi.js";
import { KpiRollupStore } from "../src/incidents/kpi-rollup-store.js";
import { aggregateWeeks, foldChange as foldWeek, weekOf } from "./baseline/kpi-weekly-main.js";
import { matchesIncident, sortKey } from "../src/incidents/incident-index-keys.js";
import { Database } from "../src/store/database.js";
import type { WriteOp } from "../src/store/group-commit.js";
import { silentLogger } from "../test/helpers/uplink-stack.js";
import { retentionSweeps } from "./retention-sweep.js";
import { fmt, median, percentile } from "./stats.js";

const COUNT = Number(process.argv[2] ?? 1_000_000);
/** `retention`: only the seed, the migration and the retention sweeps (bench/retention-sweep.ts). */
const ONLY = process.argv[3];
const YEAR = 365 * 86_400_000;
const T_END = Date.parse("2026-12-01T00:00:00Z");
const STATUSES: IncidentStatus[] = [
  "closed",
  "closed",
  "dismissed",
  "dismissed",
  "dismissed",
  "closed",
  "monitoring",
  "open",
  "escalated",
  "dispatch_pending_review",
];

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
    history: [
      { at, actor: "system", action: "created", before: null, after: "open" },
      // Finished ones were decided after 20 s to 20 min (a spread for the p90).
      ...(status === "open"
        ? []
        : [
            {
              at: new Date(Date.parse(at) + 20_000 + (n % 1181) * 1000).toISOString(),
              actor: "otto",
              action:
                status === "dismissed"
                  ? "dismiss"
                  : status === "escalated" || status === "dispatch_pending_review"
                    ? "escalate"
                    : "monitor",
              before: "open" as const,
              after: status,
            },
          ]),
    ],
    ...(status === "dismissed" ? { dismiss_reason: "normal_behavior" as const } : {}),
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

const line = (name: string, ms: number[]): void =>
  console.log(`${name}: median ${fmt(median(ms))} ms, p90 ${fmt(percentile(ms, 90))} ms (n=${ms.length})`);

const dir = await mkdtemp(join(tmpdir(), "vigil-incident-bench-"));
const db = new Database(dir, silentLogger());
try {
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, node ${process.version}, ${new Date().toISOString()}`,
  );
  await db.start();
  const { incidents } = db.sublevels;
  const [, seedMs] = await timed(async () => {
    for (let from = 0; from < COUNT; from += 5000) {
      const ops = [];
      for (let n = from; n < Math.min(COUNT, from + 5000); n++)
        ops.push({ type: "put" as const, sublevel: incidents, key: incident(n).id, value: incident(n) });
      await db.level.batch(ops);
    }
  });
  console.log(`seeded ${COUNT} incidents without indexes (as an older store): ${fmt(seedMs / 1000, 1)} s`);

  const index = new IncidentIndex(db, silentLogger(), { chunk: 2000 });
  const [, migrateMs] = await timed(() => index.ready());
  console.log(
    `migration (index build at start): ${fmt(migrateMs / 1000, 1)} s, ${fmt(COUNT / (migrateMs / 1000), 0)} incidents/s`,
  );
  const rollups = new KpiRollupStore(db, silentLogger());
  const [, rollupMs] = await timed(() => rollups.start());
  console.log(
    `migration (KPI day rollup build at start): ${fmt(rollupMs / 1000, 1)} s, ${fmt(COUNT / (rollupMs / 1000), 0)} incidents/s; both: ${fmt((migrateMs + rollupMs) / 1000, 1)} s`,
  );
  if (ONLY === "retention") {
    await retentionSweeps(db, index, rollups);
    await db.stop();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  }

  const [scanned, scanMs] = await timed(async () => {
    const page: Incident[] = [];
    for await (const v of incidents.values())
      if (matchesIncident(v as Incident, { camera: "cam-3", status: "open" })) page.push(v as Incident);
    return page.sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1)).slice(0, 50);
  });
  console.log(`full scan, filtered page (the listing before the indexes), once: ${fmt(scanMs)} ms`);

  line("first page, limit 50", await samples(30, () => index.list({ limit: 50 })));
  const cursor = (await index.list({ limit: 50 })).next_cursor ?? undefined;
  line("second page, limit 50 (cursor)", await samples(30, () => index.list({ limit: 50, cursor })));
  const filtered = await index.list({ camera: "cam-3", status: "open", limit: 50 });
  if (filtered.incidents.map((i) => i.id).join() !== scanned.map((i) => i.id).join())
    throw new Error("indexed page differs from the scan");
  line(
    "filtered page camera+status=open, limit 50",
    await samples(30, () => index.list({ camera: "cam-3", status: "open", limit: 50 })),
  );
  line(
    "filtered page camera+rule (1 in 3 of the camera's incidents), limit 50",
    await samples(30, () => index.list({ camera: "cam-5", rule: "loitering", limit: 50 })),
  );
  line(
    "filtered page status=dismissed+rule, 30-day window a half-year back, limit 50",
    await samples(30, () =>
      index.list({
        status: "dismissed",
        rule: "tamper",
        since: T_END - 200 * 86_400_000,
        until: T_END - 170 * 86_400_000,
        limit: 50,
      }),
    ),
  );
  // The worst case: two filters that never hold together walk the whole smaller index (1/16 of all).
  line(
    "filter matching nothing (camera+rule never together)",
    await samples(30, () => index.list({ camera: "cam-1", rule: "door-watch", limit: 50 })),
  );
  const ids = Array.from({ length: 200 }, (_, i) => incident((i * 4999) % COUNT).id);
  line("one incident by id", await samples(200, (i) => incidents.get(ids[i] ?? "")));

  // KPI summary: from the day rollups (what the daemon answers) against the full scan it replaced.
  const now = T_END - 3_600_000;
  line("KPI summary 7d from day rollups", await samples(200, () => Promise.resolve(rollups.summary("7d", now))));
  line("KPI summary 30d from day rollups", await samples(200, () => Promise.resolve(rollups.summary("30d", now))));
  line("KPI summary all from day rollups", await samples(200, () => Promise.resolve(rollups.summary("all", now))));
  line("weekly figures, every week, from day rollups", await samples(50, () => Promise.resolve(rollups.weeks())));
  const [scan30, scan30Ms] = await timed(async () => {
    // main's route: every incident read, those in the range summarised (here without holding all of them).
    const inRange: Incident[] = [];
    const from = now - 30 * 86_400_000;
    for await (const v of incidents.values())
      if (Date.parse((v as Incident).started_at) >= from - 86_400_000) inRange.push(v as Incident);
    return kpiSummary(inRange, "30d", now);
  });
  console.log(`full scan KPI summary 30d (main's route), once: ${fmt(scan30Ms)} ms`);
  const rolled30 = rollups.summary("30d", now);
  const exactP90 = scan30.time_to_decision_s.p90 ?? 0;
  console.log(
    `30d: ${rolled30.total} incidents; p90 rollup ${rolled30.time_to_decision_s.p90} s vs exact ${exactP90} s; mean ${rolled30.time_to_decision_s.mean} vs ${scan30.time_to_decision_s.mean}`,
  );
  const loose = (k: typeof scan30) => ({
    ...k,
    time_to_decision_s: 0,
    alert_fatigue: Math.round(k.alert_fatigue * 100),
  });
  if (
    !isDeepStrictEqual(loose(rolled30), loose(scan30)) ||
    Math.abs((rolled30.time_to_decision_s.p90 ?? 0) - exactP90) > 0.01 * exactP90
  )
    throw new Error("rollup summary differs from the scan");

  // Write cost: one fsynced batch per incident, decided, on the last (busiest) day, interleaved:
  // alone; with its index entries (main without its weekly aggregate); with index entries and the
  // day rollup (now); with index entries and main's weekly aggregate of the week (main today).
  const lastWeek: Incident[] = [];
  for await (const v of incidents.values({ gte: "" }))
    if (Date.parse((v as Incident).started_at) >= T_END - 8 * 86_400_000) lastWeek.push(v as Incident);
  const weeks = aggregateWeeks(lastWeek);
  const alone: number[] = [];
  const withIdx: number[] = [];
  const withRollup: number[] = [];
  const mainToday: number[] = [];
  const fresh = (n: number): Incident => {
    const i = incident(n);
    const at = new Date(T_END - 3_600_000 + n).toISOString();
    return {
      ...i,
      started_at: at,
      last_seen_at: at,
      ended_at: at,
      history: i.history.map((h, k) => ({ ...h, at: new Date(Date.parse(at) + k * 45_000).toISOString() })),
    };
  };
  for (let r = 0; r < 400; r++) {
    const [a, b, c, d] = [0, 1, 2, 3].map((k) => fresh(COUNT + 4 * r + k)) as [Incident, Incident, Incident, Incident];
    alone.push(
      (
        await timed(() => db.level.batch([{ type: "put", sublevel: incidents, key: a.id, value: a }], { sync: true }))
      )[1],
    );
    withIdx.push(
      (
        await timed(() =>
          db.level.batch(
            [{ type: "put", sublevel: incidents, key: b.id, value: b }, ...index.prepare(undefined, b).ops],
            { sync: true },
          ),
        )
      )[1],
    );
    withRollup.push(
      (
        await timed(() =>
          db.level.batch(
            [
              { type: "put", sublevel: incidents, key: c.id, value: c },
              ...index.prepare(undefined, c).ops,
              ...rollups.prepare(undefined, c).ops,
            ],
            { sync: true },
          ),
        )
      )[1],
    );
    mainToday.push(
      (
        await timed(() => {
          const week = weekOf(d);
          const agg = foldWeek(
            weeks.get(week) ??
              (() => {
                throw new Error("no aggregate for the busiest week");
              })(),
            undefined,
            d,
          );
          weeks.set(week, agg);
          const ops: WriteOp[] = [
            { type: "put", sublevel: incidents, key: d.id, value: d },
            ...index.prepare(undefined, d).ops,
            { type: "put", sublevel: db.sublevels.kpi_weekly, key: week, value: agg },
          ];
          return db.level.batch(ops, { sync: true });
        })
      )[1],
    );
  }
  line("fsynced incident write alone", alone);
  line("fsynced incident write with index entries (5-6 entries + counts)", withIdx);
  line("fsynced incident write with index entries + KPI day rollup (now)", withRollup);
  line("fsynced incident write with index entries + main's weekly aggregate (main today)", mainToday);
  console.log(
    `write cost ratios (medians): now/main today ${fmt(median(withRollup) / median(mainToday))}, now/alone ${fmt(median(withRollup) / median(alone))}, now/indexes only ${fmt(median(withRollup) / median(withIdx))}`,
  );
  // Last, as it deletes the oldest 11,000 finished incidents.
  await retentionSweeps(db, index, rollups);
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => fmt(l, 1))
      .join(" ")}`,
  );
  console.log(`rss of the bench process after: ${fmt(process.memoryUsage().rss / 2 ** 20, 0)} MiB`);
  await db.stop();
  // The HTTP side in a fresh process each: an empty store, then this one.
  const empty = await mkdtemp(join(tmpdir(), "vigil-incident-bench-empty-"));
  const probe = join(import.meta.dirname, "incident-store-probe.js");
  try {
    for (const [name, where] of [
      ["empty store", empty],
      [`${COUNT} incidents`, dir],
    ] as const) {
      const out =
        execFileSync(process.execPath, [probe, where], { encoding: "utf8", maxBuffer: 1 << 20 })
          .trim()
          .split("\n")
          .at(-1) ?? "{}";
      console.log(`HTTP probe, ${name}: ${out}`);
    }
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
} finally {
  if (db.isOpen) await db.stop();
  await rm(dir, { recursive: true, force: true });
}
