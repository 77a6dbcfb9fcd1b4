import { ErrorCodes, VigilError } from "../core/errors.js";
import type { VigilConfig, ZoneConfig } from "./schema.js";

/** Rule names the daemon raises itself: a zone rule may not take one as its id. */
export const BUILT_IN_RULES: ReadonlySet<string> = new Set([
  "face_present",
  "camera_fault",
  "watchlist_face",
  "unknown_face",
  "tamper",
]);

const invalid = (path: string, message: string): VigilError =>
  new VigilError(ErrorCodes.CONFIG_INVALID, `${path}: ${message}`, { details: { path } });

/** Every camera's zones, after checking ids are unique per camera. */
export function zonesByCamera(config: Readonly<Pick<VigilConfig, "cameras">>): Map<string, readonly ZoneConfig[]> {
  const out = new Map<string, readonly ZoneConfig[]>();
  config.cameras.forEach((camera, ci) => {
    const seen = new Set<string>();
    (camera.zones ?? []).forEach((z, zi) => {
      if (seen.has(z.id))
        throw invalid(`cameras[${ci}].zones[${zi}].id`, `zone "${z.id}" appears twice on camera ${camera.id}`);
      seen.add(z.id);
    });
    out.set(camera.id, camera.zones ?? []);
  });
  return out;
}

/**
 * Zone rules checked against the cameras and zones they name, once, when the config is loaded: a
 * rule for a zone that does not exist is a configuration error (exit 78), not a silent no-op.
 * Returns each rule's zone, in rule order.
 */
export function checkZoneRules(config: Readonly<Pick<VigilConfig, "cameras" | "rules">>): ZoneConfig[] {
  const zones = zonesByCamera(config);
  const ids = new Set<string>();
  return config.rules.zones.map((r, i) => {
    const path = `rules.zones[${i}]`;
    if (BUILT_IN_RULES.has(r.id)) throw invalid(`${path}.id`, `"${r.id}" is a built-in rule name`);
    if (ids.has(r.id)) throw invalid(`${path}.id`, `rule "${r.id}" appears twice`);
    ids.add(r.id);
    const cameraZones = zones.get(r.camera);
    if (!cameraZones) throw invalid(`${path}.camera`, `no camera "${r.camera}"`);
    const zone = cameraZones.find((z) => z.id === r.zone);
    if (!zone) throw invalid(`${path}.zone`, `camera ${r.camera} has no zone "${r.zone}"`);
    return zone;
  });
}
