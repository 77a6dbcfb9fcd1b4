// A store from before the incident indexes gets them built at start, in fsynced chunks that a
// kill -9 midway does not spoil: the next start resumes after the last chunk on disk and ends
// with indexes and counts that agree with a full scan. The format version sits in `meta`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Incident, IncidentStatus } from "../../src/contract/incident.js";
import { IncidentIndex } from "../../src/incidents/incident-index.js";
import { FORMAT_KEY, PROGRESS_KEY, STORE_FORMAT } from "../../src/incidents/incident-index-migration.js";
import { sortKey } from "../../src/incidents/incident-index-keys.js";
import { Database } from "../../src/store/database.js";
import { capturingLogger } from "../helpers/capturing-logger.js";
import { killAfterLines } from "../helpers/kill9.js";

const MIGRATOR = join(import.meta.dirname, "../helpers/index-migrator.js");
const COUNT = 1200;

void describe("incident index migration (LevelDB, kill -9)", () => {
  void it("builds the indexes of an older store, resumes after a kill -9 midway, and agrees with a full scan", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-index-migration-"));
    try {
      const seeded = spawnSync(process.execPath, [MIGRATOR, dir, "seed", String(COUNT)], { encoding: "utf8" });
      assert.equal(seeded.status, 0, seeded.stderr);
      const lines = await killAfterLines(MIGRATOR, [dir], 5);
      assert.ok(!lines.includes("done"), "killed before the end");

      const { log, lines: logged } = capturingLogger<{ level: string; msg: string; done?: number; total?: number }>();
      const db = new Database(dir, log);
      await db.start();
      try {
        const after = (await db.sublevels.meta.get(PROGRESS_KEY)) as string | undefined;
        assert.ok(after !== undefined, "an unfinished migration left its progress");
        assert.equal(await db.sublevels.meta.get(FORMAT_KEY), undefined);
        const during: Array<string | undefined> = [];
        const index = new IncidentIndex(db, log, { afterChunk: () => void during.push(index.notReady()) });
        assert.equal(index.notReady(), "incident indexes not loaded yet");
        await index.ready();
        assert.match(during[0] ?? "", /^migrating: building incident indexes \(\d+ of 1200 incidents\)$/);
        assert.equal(index.notReady(), undefined);
        assert.ok(logged.some((l) => l.msg === "resuming incident index build"));
        assert.ok(logged.some((l) => l.msg === "incident index build progress" && l.total === COUNT));
        assert.equal(await db.sublevels.meta.get(FORMAT_KEY), STORE_FORMAT);
        assert.equal(await db.sublevels.meta.get(PROGRESS_KEY), undefined);

        const all = (await db.sublevels.incidents.values().all()) as Incident[];
        const sorted = [...all].sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1));
        assert.equal(all.length, COUNT);
        const page = await index.list({ limit: 500 });
        assert.deepEqual(
          page.incidents.map((i) => i.id),
          sorted.slice(0, 500).map((i) => i.id),
        );
        const byStatus: Partial<Record<IncidentStatus, number>> = {};
        for (const i of all) byStatus[i.status] = (byStatus[i.status] ?? 0) + 1;
        assert.deepEqual(await index.statusCounts(), byStatus);
        assert.equal(index.count("c", "cam-1"), all.filter((i) => i.camera_id === "cam-1").length);
        assert.equal(index.count("z", "zone-0"), all.filter((i) => i.zone === "zone-0").length);
        const entries = await db.sublevels.incident_idx.keys({ gte: "a!", lt: "a!\uffff" }).all();
        assert.equal(entries.length, COUNT, "no entry written twice or left out");
      } finally {
        await db.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
