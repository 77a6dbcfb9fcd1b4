import type { Detection } from "../contract/detection.js";
import { bottomCentre } from "./box-geometry.js";
import type { ZoneRule } from "./rules/candidate.js";
import { pointInPolygon, type ZoneDef } from "./zones.js";

export interface ZoneHit {
  readonly zone: string;
  /** The enabled zone rules of the camera that this detection would feed (their own wait aside). */
  readonly rules: readonly string[];
}

/**
 * Which of a camera's zones a detection stands in (the bottom centre of its box, as the rules
 * judge it; a zone's own labels apply) and which zone rules on them take its label: what the
 * detection preview shows an installer. Pure.
 */
export function zoneHits(
  d: Pick<Detection, "label" | "box">,
  cameraId: string,
  zones: readonly ZoneDef[],
  rules: readonly ZoneRule[],
): ZoneHit[] {
  const feet = bottomCentre(d.box);
  return zones
    .filter((z) => (z.labels === undefined || z.labels.includes(d.label)) && pointInPolygon(feet, z.polygon))
    .map((z) => ({
      zone: z.id,
      rules: rules
        .filter((r) => r.cameraId === cameraId && r.zoneId === z.id && r.labels.includes(d.label))
        .map((r) => r.id),
    }));
}
