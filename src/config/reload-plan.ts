import type { VigilConfig } from "./schema.js";

/** What a reloaded config changes: what the daemon applies now, and what needs a restart. Pure. */
export interface ReloadPlan {
  readonly logLevel?: string | undefined;
  /** The camera list changed: cameras are added, removed or restarted, the others untouched. */
  readonly cameras: boolean;
  /** Top-level keys (or `cameras`) whose change the running daemon cannot apply. */
  readonly needsRestart: readonly string[];
}

/** Keys applied without a restart today; everything else is reported as needing one. */
const LIVE_KEYS = new Set(["log", "cameras"]);

export function reloadPlan(running: Readonly<VigilConfig>, next: Readonly<VigilConfig>): ReloadPlan {
  const needsRestart: string[] = [];
  for (const key of new Set([...Object.keys(running), ...Object.keys(next)])) {
    const before = JSON.stringify((running as unknown as Record<string, unknown>)[key]);
    const after = JSON.stringify((next as unknown as Record<string, unknown>)[key]);
    if (before !== after && !LIVE_KEYS.has(key)) needsRestart.push(key);
  }
  if (running.log.stats_interval_s !== next.log.stats_interval_s) needsRestart.push("log.stats_interval_s");
  // The rule engine builds its zone geometry once at start; cameras restart live, their zones do not.
  const zones = (config: Readonly<VigilConfig>): string =>
    JSON.stringify(
      Object.fromEntries(config.cameras.filter((c) => (c.zones ?? []).length > 0).map((c) => [c.id, c.zones])),
    );
  if (zones(running) !== zones(next)) needsRestart.push("cameras[].zones");
  return {
    logLevel: running.log.level !== next.log.level ? next.log.level : undefined,
    cameras: JSON.stringify(running.cameras) !== JSON.stringify(next.cameras),
    needsRestart: needsRestart.sort(),
  };
}
