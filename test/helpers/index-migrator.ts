/**
 * A process for the migration's kill -9 test: `node index-migrator.js <dataDir> [seed N]`.
 * With `seed N` it writes N incidents as a daemon from before the indexes did (the incidents
 * sublevel alone) and exits. Without, it builds the indexes 50 incidents per batch and prints
 * one line per batch on disk (`chunk <done>`), then `done`.
 */
import type { Incident } from "../../src/contract/incident.js";
import { createLogger } from "../../src/core/logger.js";
import { IncidentIndex } from "../../src/incidents/incident-index.js";
import { Database } from "../../src/store/database.js";

const [dataDir, mode, n] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: index-migrator <dataDir> [seed N]");
const log = createLogger({ level: "silent" });
const db = new Database(dataDir, log);
await db.start();

/** An incident as stored by the daemon, varied over cameras, rules, zones, statuses and days. */
function oldIncident(i: number): Incident {
  const at = new Date(Date.parse("2026-01-01T00:00:00Z") + i * 3_600_000).toISOString();
  const statuses = ["open", "dismissed", "closed", "escalated"] as const;
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    version: 1,
    camera_id: `cam-${i % 4}`,
    rule: `rule-${i % 3}`,
    zone: i % 5 === 0 ? null : `zone-${i % 2}`,
    status: statuses[i % statuses.length] ?? "open",
    confidence: 0.9,
    objects: [],
    started_at: at,
    last_seen_at: at,
    ended_at: null,
    summary: "x",
    next_step: "monitor",
    history: [{ at, actor: "system", action: "created", before: null, after: "open" }],
  };
}

if (mode === "seed") {
  const incidents = db.sublevels.incidents;
  await db.level.batch(
    Array.from({ length: Number(n) }, (_, i) => ({
      type: "put" as const,
      sublevel: incidents,
      key: oldIncident(i).id,
      value: oldIncident(i),
    })),
    { sync: true },
  );
} else {
  const index = new IncidentIndex(db, log, {
    chunk: 50,
    afterChunk: (done) => void process.stdout.write(`chunk ${done}\n`),
  });
  await index.ready();
  process.stdout.write("done\n");
}
await db.stop();
