import type { CameraConfig, VigilConfig, ZoneRuleConfig } from "../config/schema.js";
import { checkZoneRules } from "../config/zone-rule-checks.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";

const invalid = (field: string, message: string): VigilError =>
  new VigilError(ErrorCodes.VALIDATION, `${field}: ${message}`, { details: { field } });

/**
 * A runtime camera's zone rules, checked as the config loader checks `rules.zones` (the same
 * schema and the same zone-rule checks): each names this camera and one of its zones, no id twice,
 * no built-in rule name. `taken` holds rule ids other cameras use already. Throws VALIDATION. Pure.
 */
export function checkCameraRules(
  camera: CameraConfig,
  rules: readonly ZoneRuleConfig[],
  taken: ReadonlySet<string> = new Set(),
): void {
  rules.forEach((r, i) => {
    if (r.camera !== camera.id)
      throw invalid(`/rules/${i}/camera`, `must be ${camera.id}, the camera these rules belong to`);
    if (taken.has(r.id))
      throw invalid(`/rules/${i}/id`, `rule "${r.id}" exists already on another camera or in the config file`);
  });
  try {
    checkZoneRules({ cameras: [camera], rules: { zones: [...rules] } as unknown as VigilConfig["rules"] });
  } catch (err) {
    if (!isVigilError(err, ErrorCodes.CONFIG_INVALID)) throw err;
    // rules.zones[2].zone -> /rules/2/zone
    const m = /^rules\.zones\[(\d+)\]\.(\w+): (.*)$/s.exec(err.message);
    throw m ? invalid(`/rules/${m[1]}/${m[2]}`, m[3] ?? err.message) : invalid("/rules", err.message);
  }
}

/**
 * A camera's zones as the config loader checks them (no id twice), and a zone change that would
 * strand a rule (its zone gone) is refused: remove or move the rule first. Pure.
 */
export function checkCameraZones(camera: CameraConfig, rules: readonly ZoneRuleConfig[]): void {
  const zones = new Set<string>();
  (camera.zones ?? []).forEach((z, i) => {
    if (zones.has(z.id)) throw invalid(`/zones/${i}/id`, `zone "${z.id}" appears twice`);
    zones.add(z.id);
  });
  const stranded = rules.find((r) => !zones.has(r.zone));
  if (stranded)
    throw invalid(
      "/zones",
      `rule "${stranded.id}" watches zone "${stranded.zone}"; change or remove the rule before removing its zone`,
    );
}
