import { configPathFrom, loadConfig } from "../config/loader.js";
import { ErrorCodes, ExitCodes, isVigilError, VigilError } from "../core/errors.js";
import { createLogger } from "../core/logger.js";
import { checkIncidentStore, repairIncidentStore, type StoreCheckResult } from "../incidents/store-check.js";
import { Database } from "../store/database.js";
import { emit, fail } from "./output.js";

export interface StoreCliOptions {
  config?: string;
  json?: boolean;
  repair?: boolean;
}

function describe(r: StoreCheckResult): string {
  const state = r.ok ? "ok" : "DISAGREE";
  const lines = [
    `${state}: ${r.incidents} incidents; index entries missing ${r.index_missing}, wrong ${r.index_wrong}, extra ${r.index_extra}; counts wrong ${r.counts_wrong.length}; KPI days wrong ${r.rollup_days_wrong.length}`,
  ];
  if (r.repaired) lines.unshift("repaired: indexes, counts and KPI day rollups rebuilt from the incidents");
  if (r.counts_wrong.length > 0) lines.push(`counts: ${r.counts_wrong.join(", ")}`);
  if (r.rollup_days_wrong.length > 0) lines.push(`days: ${r.rollup_days_wrong.join(", ")}`);
  return lines.join("\n");
}

/** `vigil store check [--repair]`: indexes and KPI rollups against the incident records (daemon stopped); exit 1 if they disagree. */
export async function storeCheck(opts: StoreCliOptions): Promise<void> {
  const json = opts.json === true;
  try {
    const config = await loadConfig(configPathFrom(opts.config, process.env));
    const log = createLogger({ level: json ? "silent" : "warn" });
    const database = new Database(config.data_dir, createLogger({ level: "silent" }), { attempts: 4, delayMs: 250 });
    try {
      await database.start();
    } catch (err) {
      if (!isVigilError(err, ErrorCodes.STORE_LOCKED)) throw err;
      throw new VigilError(
        ErrorCodes.STORE_LOCKED,
        `the store at ${database.location} is in use by the running daemon: stop it (systemctl stop vigil), run "vigil store check" again, then start it`,
        { cause: err },
      );
    }
    let result: StoreCheckResult;
    try {
      result = await checkIncidentStore(database);
      if (!result.ok && opts.repair) {
        await repairIncidentStore(database, log);
        result = { ...(await checkIncidentStore(database)), repaired: true };
      }
    } finally {
      await database.stop();
    }
    emit(json, result, () => describe(result));
    if (!result.ok) process.exitCode = ExitCodes.FAILURE;
  } catch (err) {
    fail(err, json);
  }
}
