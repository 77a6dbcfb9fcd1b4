import type { ZoneRule } from "../analytics/rules/candidate.js";
import { resolveZoneRules } from "../analytics/rules/zone-rule-config.js";
import type { ZoneDef } from "../analytics/zones.js";
import type { CameraConfig, VigilConfig, ZoneRuleConfig } from "../config/schema.js";
import { zonesByCamera } from "../config/zone-rule-checks.js";
import type { CameraRegistry } from "../ingest/camera-registry.js";

export interface LiveZones {
  readonly zones: ReadonlyMap<string, readonly ZoneDef[]>;
  readonly rules: readonly ZoneRule[];
}

/**
 * The zones and zone rules of the cameras that run: the config file's `rules.zones` and each
 * runtime camera's stored rules, resolved by the one resolver (defaults, zone names). A rule of a
 * camera that is not running is left out rather than failing the whole list.
 */
export function liveZones(
  cameras: readonly CameraConfig[],
  configRules: readonly ZoneRuleConfig[],
  registry: Pick<CameraRegistry, "list">,
): LiveZones {
  const running = new Set(cameras.map((c) => c.id));
  const runtime = registry.list().flatMap((c) => (c.origin === "runtime" ? (c.rules ?? []) : []));
  const zones = [...configRules, ...runtime].filter((r) => running.has(r.camera));
  const config = { cameras: [...cameras], rules: { zones } } as unknown as Pick<VigilConfig, "cameras" | "rules">;
  return { zones: zonesByCamera(config), rules: resolveZoneRules(config) };
}
