import type { VigilConfig, ZoneRuleConfig } from "../../config/schema.js";
import type { NextStep } from "../../contract/incident.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { ZoneDef } from "../zones.js";
import type { ZoneRule } from "./candidate.js";

const VEHICLES = ["car", "truck", "bus", "motorcycle"];

const DEFAULTS: Readonly<Record<ZoneRuleConfig["kind"], { labels: readonly string[]; minS: number; nextStep: NextStep }>> = {
  restricted: { labels: ["person"], minS: 0, nextStep: "notify" },
  loitering: { labels: ["person"], minS: 30, nextStep: "notify" },
  no_parking: { labels: VEHICLES, minS: 60, nextStep: "notify" },
};

/** Rule names the daemon raises itself: a zone rule may not take one as its id. */
const BUILT_IN = new Set(["face_present", "camera_fault", "watchlist_face", "unknown_face", "tamper"]);

const invalid = (path: string, message: string): VigilError => new VigilError(ErrorCodes.CONFIG_INVALID, `${path}: ${message}`, { details: { path } });

/** Every camera's zones, after checking ids are unique per camera. */
export function zonesByCamera(config: Readonly<Pick<VigilConfig, "cameras">>): Map<string, readonly ZoneDef[]> {
  const out = new Map<string, readonly ZoneDef[]>();
  config.cameras.forEach((camera, ci) => {
    const seen = new Set<string>();
    (camera.zones ?? []).forEach((z, zi) => {
      if (seen.has(z.id)) throw invalid(`cameras[${ci}].zones[${zi}].id`, `zone "${z.id}" appears twice on camera ${camera.id}`);
      seen.add(z.id);
    });
    out.set(camera.id, camera.zones ?? []);
  });
  return out;
}

/**
 * The enabled zone rules with their defaults, each checked against the camera and zone it names:
 * a rule for a zone that does not exist is a configuration error (exit 78), not a silent no-op.
 */
export function resolveZoneRules(config: Readonly<Pick<VigilConfig, "cameras" | "rules">>): ZoneRule[] {
  const zones = zonesByCamera(config);
  const ids = new Set<string>();
  const rules: ZoneRule[] = [];
  config.rules.zones.forEach((r, i) => {
    const path = `rules.zones[${i}]`;
    if (BUILT_IN.has(r.id)) throw invalid(`${path}.id`, `"${r.id}" is a built-in rule name`);
    if (ids.has(r.id)) throw invalid(`${path}.id`, `rule "${r.id}" appears twice`);
    ids.add(r.id);
    const cameraZones = zones.get(r.camera);
    if (!cameraZones) throw invalid(`${path}.camera`, `no camera "${r.camera}"`);
    const zone = cameraZones.find((z) => z.id === r.zone);
    if (!zone) throw invalid(`${path}.zone`, `camera ${r.camera} has no zone "${r.zone}"`);
    if (!r.enabled) return;
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
