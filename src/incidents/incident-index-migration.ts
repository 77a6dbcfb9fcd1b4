import type { Incident } from "../contract/incident.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { WriteOp } from "../store/group-commit.js";
import { countersOf, entriesOf, indexValue } from "./incident-index-keys.js";

/**
 * The store format, in `meta`: 2 = the incident indexes exist and agree with the incidents;
 * 3 = they include the end-time index and the bytes total (retention). A store at 2 is rebuilt.
 */
export const FORMAT_KEY = "store!format_version";
export const STORE_FORMAT = 3;
/** The id of the last incident indexed by an unfinished migration (written with its chunk). */
export const PROGRESS_KEY = "store!index_migration_after";

export interface MigrationOptions {
  readonly chunk?: number;
  /** Called after each chunk is on disk (tests stop here to simulate a kill). */
  readonly afterChunk?: (done: number) => void | Promise<void>;
  /** Incidents indexed so far, of all: before the first chunk and after each. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Builds the incident indexes of a store from before them (no format version), a chunk of
 * incidents per fsynced batch. Each batch carries the chunk's entries, the counts so far and the
 * last id done, so a kill -9 at any point resumes after the last chunk on disk. Runs before
 * anything writes an incident (IncidentIndex.ready), so no write races it.
 */
export async function migrateIncidentIndex(
  database: Database,
  log: Logger,
  opts: MigrationOptions = {},
): Promise<void> {
  const { meta, incidents, incident_idx: idx } = database.sublevels;
  const format = (await meta.get(FORMAT_KEY)) as number | undefined;
  if (format !== undefined && format > STORE_FORMAT) {
    throw new VigilError(
      ErrorCodes.STORE_FORMAT,
      `store format ${format} is newer than this daemon's ${STORE_FORMAT}: run the newer daemon or restore a backup`,
    );
  }
  if (format === STORE_FORMAT) return;
  let after = (await meta.get(PROGRESS_KEY)) as string | undefined;
  const counts = new Map<string, number>();
  if (after === undefined) {
    // Nothing of ours on disk yet, or leftovers of a start that died before its first chunk.
    await idx.clear();
  } else {
    for await (const [key, value] of idx.iterator({ gte: "n!", lt: "n!\uffff" })) counts.set(key, value as number);
  }
  let total = 0;
  for await (const _ of incidents.keys()) total += 1;
  let done = after === undefined ? 0 : [...counts].filter(([k]) => k.startsWith("n!s!")).reduce((s, [, n]) => s + n, 0);
  const chunk = opts.chunk ?? 2000;
  const started = Date.now();
  opts.onProgress?.(done, total);
  log.info(
    { incidents: total, resumed_at: done },
    after === undefined ? "building incident indexes" : "resuming incident index build",
  );
  for (;;) {
    const range = after === undefined ? { limit: chunk } : { gt: after, limit: chunk };
    const batch = (await incidents.iterator(range).all()) as Array<[string, Incident]>;
    if (batch.length === 0) break;
    const ops: WriteOp[] = [];
    const touched = new Set<string>();
    for (const [, incident] of batch) {
      for (const { key } of entriesOf(incident))
        ops.push({ type: "put", sublevel: idx, key, value: indexValue(incident) });
      for (const [counter, n] of countersOf(incident)) {
        counts.set(counter, (counts.get(counter) ?? 0) + n);
        touched.add(counter);
      }
    }
    after = batch.at(-1)?.[0] ?? after;
    for (const key of touched) ops.push({ type: "put", sublevel: idx, key, value: counts.get(key) ?? 0 });
    ops.push({ type: "put", sublevel: meta, key: PROGRESS_KEY, value: after });
    await database.level.batch(ops, { sync: true });
    done += batch.length;
    opts.onProgress?.(done, total);
    log.info(
      { done, total, percent: total === 0 ? 100 : Math.round((done / total) * 1000) / 10 },
      "incident index build progress",
    );
    await opts.afterChunk?.(done);
  }
  await database.level.batch(
    [
      { type: "put", sublevel: meta, key: FORMAT_KEY, value: STORE_FORMAT },
      { type: "del", sublevel: meta, key: PROGRESS_KEY },
    ],
    { sync: true },
  );
  log.info({ incidents: done, ms: Date.now() - started, format: STORE_FORMAT }, "incident indexes built");
}
