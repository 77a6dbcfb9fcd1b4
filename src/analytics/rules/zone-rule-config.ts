import type { VigilConfig, ZoneRuleConfig } from "../../config/schema.js";
import type { NextStep } from "../../contract/incident.js";
import { checkZoneRules } from "../../config/zone-rule-checks.js";
import type { ZoneRule } from "./candidate.js";

const VEHICLES = ["car", "truck", "bus", "motorcycle"];

const DEFAULTS: Readonly<
  Record<ZoneRuleConfig["kind"], { labels: readonly string[]; minS: number; nextStep: NextStep }>
> = {
  restricted: { labels: ["person"], minS: 0, nextStep: "notify" },
  loitering: { labels: ["person"], minS: 30, nextStep: "notify" },
  no_parking: { labels: VEHICLES, minS: 60, nextStep: "notify" },
};

/**
 * The enabled zone rules with their defaults. The config loader has already checked that each
 * names a camera and zone that exist (config/zone-rule-checks.ts); this re-uses that check.
 */
export function resolveZoneRules(config: Readonly<Pick<VigilConfig, "cameras" | "rules">>): ZoneRule[] {
  const zones = checkZoneRules(config);
  const rules: ZoneRule[] = [];
  config.rules.zones.forEach((r, i) => {
    const zone = zones[i];
    if (!r.enabled || !zone) return;
    const d = DEFAULTS[r.kind];
    rules.push({
      id: r.id,
      kind: r.kind,
      cameraId: r.camera,
      zoneId: r.zone,
      zoneName: zone.name ?? zone.id,
      labels: r.labels ?? d.labels,
      minMs: (r.min_seconds ?? d.minS) * 1000,
      nextStep: r.next_step ?? d.nextStep,
    });
  });
  return rules;
}
