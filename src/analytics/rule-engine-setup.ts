import type { VigilConfig } from "../config/schema.js";
import type { RuleEngineSetup } from "./rule-engine.js";
import { zonesByCamera } from "../config/zone-rule-checks.js";
import { resolveZoneRules } from "./rules/zone-rule-config.js";

/** The rule engine's setup from config; a rule naming a missing camera or zone throws VIGIL_E_CONFIG_INVALID. */
export function ruleEngineSetup(config: Readonly<Pick<VigilConfig, "cameras" | "rules">>): RuleEngineSetup {
  const r = config.rules;
  const t = r.tracker;
  return {
    zones: zonesByCamera(config),
    zoneRules: resolveZoneRules(config),
    tracker: {
      iouThreshold: t.iou_threshold,
      minFrames: t.min_frames,
      maxMissedFrames: t.max_missed_frames,
      maxMissedMs: t.max_missed_s * 1000,
      stationaryWindowMs: t.stationary_window_s * 1000,
      stationaryRatio: t.stationary_ratio,
      stationaryMaxMissedMs: t.stationary_max_missed_s * 1000,
    },
    groupWindowMs: r.group_window_s * 1000,
    maxSnapshots: r.max_snapshots,
    caps: { maxDurationMs: r.incident_caps.max_duration_s * 1000, maxObjects: r.incident_caps.max_objects },
    watchlist: r.watchlist_face.enabled
      ? { minSimilarity: r.watchlist_face.min_similarity, nextStep: r.watchlist_face.next_step }
      : undefined,
    unknown: r.unknown_face.enabled
      ? { cameras: r.unknown_face.cameras, nextStep: r.unknown_face.next_step }
      : undefined,
    tamper: r.tamper.enabled ? { events: r.tamper.events, nextStep: r.tamper.next_step } : undefined,
    sweepIntervalMs: 1000,
  };
}
